// Recovery procedures per root cause, as an ordered plan. Pure: the incident workflow walks
// the plan, checks the provider after each step and stops at the first step that works.
//
// lifeline does not carry the application's traffic. Steps such as "use the backup key", "throttle",
// "use a cheaper model" or "serve from cache" are therefore *signals*: they are published on the chain's
// route as hints (GET /v1/routes, webhook, LiteLLM) for the application or its gateway to act on. The
// check after such a step asks whether the provider answers when used that way (e.g. with the backup key).
import type { FailureCategory } from './classify';

export const RECOVERY_ACTIONS = [
  'use_backup_key',
  'throttle',
  'retry_with_backoff',
  'use_backup_endpoint',
  'use_cheaper_model',
  'enable_caching',
  'failover',
] as const;
export type RecoveryAction = (typeof RECOVERY_ACTIONS)[number];

export interface RecoveryCapabilities {
  backupKey: boolean;
  backupEndpoint: boolean;
  cheaperModel: boolean;
}

export interface RecoveryStep {
  action: RecoveryAction;
  /** False when the provider is not configured for it (e.g. no backup key): recorded, then skipped. */
  available: boolean;
  why: string;
}

const PLANS: Partial<Record<FailureCategory, { action: RecoveryAction; why: string }[]>> = {
  rate_limit: [
    { action: 'use_backup_key', why: 'a second key has its own rate limit' },
    { action: 'throttle', why: 'ask clients to slow down until the window resets' },
  ],
  authentication: [
    { action: 'use_backup_key', why: 'the primary key is rejected; the backup credentials may still be valid' },
  ],
  network: [
    { action: 'retry_with_backoff', why: 'transient network faults often clear within seconds' },
    { action: 'use_backup_endpoint', why: 'another endpoint or region may be reachable' },
  ],
  quota_exceeded: [
    { action: 'use_cheaper_model', why: 'a cheaper model stretches the remaining quota' },
    { action: 'enable_caching', why: 'serve repeated prompts from cache to cut usage' },
  ],
};

/** Backoff delays of the retry step: short, because failover waits behind them. */
export const RETRY_BACKOFF_MS = [1_000, 2_000, 4_000];

export function recoveryPlan(rootCause: FailureCategory, caps: RecoveryCapabilities): RecoveryStep[] {
  const steps = (PLANS[rootCause] ?? []).map(({ action, why }) => ({
    action,
    why,
    available: isAvailable(action, caps),
  }));
  return [
    ...steps,
    { action: 'failover', why: 'move traffic to the next healthy provider of each chain', available: true },
  ];
}

function isAvailable(action: RecoveryAction, caps: RecoveryCapabilities): boolean {
  if (action === 'use_backup_key') return caps.backupKey;
  if (action === 'use_backup_endpoint') return caps.backupEndpoint;
  if (action === 'use_cheaper_model') return caps.cheaperModel;
  return true;
}
