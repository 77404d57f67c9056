// Traffic-shift plans: the sequence of weight tables an immediate, gradual, canary or
// failback shift walks through. Pure, so the trafficShiftWorkflow only applies, waits and validates.
import { compactWeights, planImmediateFailover, type Weights } from './failover';

export const SHIFT_KINDS = ['immediate', 'gradual', 'canary', 'failback', 'set'] as const;
export type ShiftKind = (typeof SHIFT_KINDS)[number];

/** Share of the source provider's traffic left on it after each gradual step. */
export const GRADUAL_REMAINING = [50, 25, 0];
/** Percent of the source provider's traffic moved to the canary target at each step. */
export const CANARY_PERCENTS = [5, 10, 25, 50, 75, 100];
/** Percent of the way back to the configured weights at each failback step. */
export const FAILBACK_PERCENTS = [10, 25, 50, 75, 100];
/**
 * The same when users' outcomes made the provider ready: the route clients' trial requests already sent it
 * about a quarter of the traffic (`recoveringTrialShare`, 25 %) without a failure, so a 10 % step would
 * prove less than what is known and cost ~10 s of traffic at a few requests a second.
 */
export const EVIDENCE_FAILBACK_PERCENTS = [25, 50, 75, 100];

/**
 * Integer weights summing to 100, `pct` percent of the way from `from` to `to`. Rounds by largest
 * remainder so the sum is exact and no provider gets a share it has in neither table.
 */
export function interpolateWeights(from: Weights, to: Weights, pct: number): Weights {
  const providers = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  const exact = providers.map((p) => (from[p] ?? 0) + (((to[p] ?? 0) - (from[p] ?? 0)) * pct) / 100);
  const floors = exact.map(Math.floor);
  let left = 100 - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((v, i) => ({ i, r: v - floors[i] })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] += 1;
    left -= 1;
  }
  return compactWeights(Object.fromEntries(providers.map((p, i) => [p, floors[i]])));
}

/** Moves `movePct` percent of `from`'s current share to `to`. */
export function moveShare(current: Weights, from: string, to: string, movePct: number): Weights {
  const target: Weights = { ...current };
  target[to] = (target[to] ?? 0) + (target[from] ?? 0);
  delete target[from];
  return interpolateWeights(current, target, movePct);
}

/** The first healthy provider after `from` in chain order (wrapping), or null. */
export function nextHealthy(chain: string[], from: string, unhealthy: string[]): string | null {
  const plan = planImmediateFailover({ [from]: 100 }, chain, from, unhealthy);
  return plan ? Object.keys(plan)[0] : null;
}

export interface ShiftStep {
  weights: Weights;
  /** The provider whose health decides whether the step holds (the one receiving new traffic). */
  validate?: string;
}

/**
 * Steps of a failover from `from` to `to`. Immediate moves everything in one step; gradual leaves
 * 50 % → 25 % → 0 % of the source's share on it; canary sends 5 → 10 → 25 → 50 → 75 → 100 % to `to`.
 */
export function failoverSteps(
  kind: 'immediate' | 'gradual' | 'canary',
  current: Weights,
  from: string,
  to: string,
): ShiftStep[] {
  if (kind === 'immediate') return [{ weights: moveShare(current, from, to, 100), validate: to }];
  const percents = kind === 'gradual' ? GRADUAL_REMAINING.map((r) => 100 - r) : CANARY_PERCENTS;
  return percents.map((pct) => ({ weights: moveShare(current, from, to, pct), validate: to }));
}

/** Steps back to the configured weights, validating the returning provider at each one. */
export function failbackSteps(current: Weights, configured: Weights, original: string): ShiftStep[] {
  return FAILBACK_PERCENTS.map((pct) => ({
    weights: interpolateWeights(current, configured, pct),
    validate: original,
  }));
}

export function sameWeights(a: Weights, b: Weights): boolean {
  const ca = compactWeights(a);
  const cb = compactWeights(b);
  const keys = new Set([...Object.keys(ca), ...Object.keys(cb)]);
  return [...keys].every((k) => ca[k] === cb[k]);
}

/**
 * Where a failback may go now: the configured weights with every provider whose breaker is open moved
 * off (chain order), so a failback never gives weight to an open provider. Null: nowhere healthy.
 */
export function failbackTarget(configured: Weights, providers: string[], open: string[]): Weights | null {
  let target: Weights | null = compactWeights(configured);
  for (const p of open) if (target && target[p]) target = planImmediateFailover(target, providers, p, open);
  return target;
}

/** Providers in `open` whose share would grow going from `from` to `to` (must be empty for any step). */
export function gainsOnOpen(from: Weights, to: Weights, open: string[]): string[] {
  return open.filter((p) => (to[p] ?? 0) > (from[p] ?? 0));
}
