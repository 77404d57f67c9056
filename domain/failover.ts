// Failover plans for a chain's traffic distribution. Weights are integer percentages summing to 100.

export type Weights = Record<string, number>;

export interface ValidationIssue {
  path: string;
  message: string;
}

export function validateWeights(weights: Weights, chainProviders: string[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  let sum = 0;
  for (const [provider, weight] of Object.entries(weights)) {
    if (!chainProviders.includes(provider)) {
      issues.push({
        path: `weights.${provider}`,
        message: `provider is not in the chain (${chainProviders.join(', ')})`,
      });
    }
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      issues.push({ path: `weights.${provider}`, message: 'weight must be an integer between 0 and 100' });
    }
    sum += weight;
  }
  if (sum !== 100) issues.push({ path: 'weights', message: `weights must sum to 100 (got ${sum})` });
  return issues;
}

/** Drops zero weights so route tables only list providers that receive traffic. */
export function compactWeights(weights: Weights): Weights {
  return Object.fromEntries(Object.entries(weights).filter(([, w]) => w > 0));
}

/**
 * Immediate failover: the failed provider's share goes to the first healthy provider after it in
 * chain order (wrapping to the ones before it). Returns null when no healthy provider is left,
 * which is the caller's cue for emergency mode.
 */
export function planImmediateFailover(
  current: Weights,
  chainProviders: string[],
  failed: string,
  unhealthy: string[] = [],
): Weights | null {
  const down = new Set([failed, ...unhealthy]);
  const moved = current[failed] ?? 0;
  const idx = chainProviders.indexOf(failed);
  const order = [...chainProviders.slice(idx + 1), ...chainProviders.slice(0, Math.max(idx, 0))];
  const target = order.find((p) => !down.has(p));
  if (!target) return null;
  const next: Weights = { ...current };
  delete next[failed];
  next[target] = (next[target] ?? 0) + moved;
  // Traffic already on other failed providers moves too.
  for (const p of Object.keys(next)) {
    if (p !== target && down.has(p)) {
      next[target] += next[p];
      delete next[p];
    }
  }
  return compactWeights(next);
}
