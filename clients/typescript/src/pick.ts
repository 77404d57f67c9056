// Which providers one request tries, in which order: pure, so the distribution is testable with a seeded
// random source. Weighted random (not "top weight wins"), so a 10 % failback step really sends 10 %.
import type { Route } from './types';

/** Chain order: the route's `providers`, else its weights' keys (older servers), heaviest first. */
export function chainOf(route: Route): string[] {
  if (route.providers?.length) return [...route.providers];
  return Object.keys(route.weights).sort((a, b) => (route.weights[b] ?? 0) - (route.weights[a] ?? 0));
}

/** One provider drawn with probability weight / total among `eligible`; null when none has weight. */
export function weightedPick(weights: Record<string, number>, eligible: string[], random: () => number): string | null {
  const pool = eligible.filter((p) => (weights[p] ?? 0) > 0);
  const total = pool.reduce((s, p) => s + weights[p], 0);
  if (total <= 0) return null;
  let r = random() * total;
  for (const p of pool) {
    r -= weights[p];
    if (r < 0) return p;
  }
  return pool[pool.length - 1];
}

export interface PlanInput {
  route: Route;
  /** Providers the local breaker has open (not half-open). */
  blocked: Set<string>;
  /** Providers eligible for a trial request (recovering, or half-open locally). */
  trialCandidates: string[];
  trialShare: number;
  maxAttempts: number;
  random: () => number;
}

export interface Plan {
  /** Providers to try in order; empty in emergency mode or when every provider is down. */
  order: string[];
  /** True when order[0] is a trial (half-open) request. */
  trial: boolean;
  emergency: boolean;
}

/**
 * The picked provider first, then the rest of the chain in order; never one lifeline holds `down`, nor one
 * the local breaker has open — unless that would leave nothing, then the route's own view decides.
 */
export function planAttempts(input: PlanInput): Plan {
  const { route, blocked, random } = input;
  if (route.mode === 'emergency') return { order: [], trial: false, emergency: true };
  const down = new Set(route.down ?? []);
  const chain = chainOf(route).filter((p) => !down.has(p));
  let eligible = chain.filter((p) => !blocked.has(p));
  if (eligible.length === 0) eligible = chain;
  if (eligible.length === 0) return { order: [], trial: false, emergency: true };

  const first = weightedPick(route.weights, eligible, random);
  const ordered = first ? [first, ...eligible.filter((p) => p !== first)] : eligible;
  const trials = input.trialCandidates.filter((p) => !down.has(p) && p !== first);
  let trial = false;
  let order = ordered;
  if (trials.length && random() < input.trialShare) {
    const t = trials[Math.floor(random() * trials.length)];
    order = [t, ...ordered.filter((p) => p !== t)];
    trial = true;
  }
  return { order: order.slice(0, Math.max(1, input.maxAttempts)), trial, emergency: false };
}
