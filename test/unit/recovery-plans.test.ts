// Pure decision logic of issue 5: root-cause selection, recovery plans and traffic-shift steps.
import { selectRootCause } from '../../domain/diagnosis';
import type { DiagnosticCheck } from '../../domain/incident';
import { recoveryPlan } from '../../domain/recovery';
import { failbackSteps, failoverSteps, interpolateWeights, moveShare, nextHealthy } from '../../domain/shift';

const failed = (name: string, suggests: DiagnosticCheck['suggests']): DiagnosticCheck => ({
  name,
  status: 'failed',
  detail: `${name} failed`,
  suggests,
});
const passed = (name: string): DiagnosticCheck => ({ name, status: 'passed', detail: 'ok' });

describe('selectRootCause', () => {
  test('a broken network explains the failing probe', () => {
    const r = selectRootCause([
      failed('tcp', 'network'),
      failed('api_probe', 'network'),
      failed('alert_samples', 'latency'),
    ]);
    expect(r.rootCause).toBe('network');
    expect(r.evidence).toEqual(['tcp: tcp failed', 'api_probe: api_probe failed']);
  });
  test('quota beats rate limit (both are 429s), and overload beats a generic outage', () => {
    expect(selectRootCause([failed('rate_limit', 'rate_limit'), failed('quota', 'quota_exceeded')]).rootCause).toBe(
      'quota_exceeded',
    );
    expect(
      selectRootCause([failed('status_page', 'provider_outage'), failed('api_probe', 'overloaded')]).rootCause,
    ).toBe('overloaded');
  });
  test('unknown when nothing failed with a suggestion; errors are still quoted', () => {
    const r = selectRootCause([passed('dns'), { name: 'status_page', status: 'error', detail: 'unreachable' }]);
    expect(r).toEqual({ rootCause: 'unknown', evidence: ['status_page: unreachable'] });
  });
});

describe('recoveryPlan', () => {
  const all = { backupKey: true, backupEndpoint: true, cheaperModel: true };
  const actions = (cause: Parameters<typeof recoveryPlan>[0], caps = all) =>
    recoveryPlan(cause, caps).map((s) => `${s.action}${s.available ? '' : '(n/a)'}`);
  test('per root cause, always ending in failover', () => {
    expect(actions('rate_limit')).toEqual(['use_backup_key', 'throttle', 'failover']);
    expect(actions('authentication')).toEqual(['use_backup_key', 'failover']);
    expect(actions('network')).toEqual(['retry_with_backoff', 'use_backup_endpoint', 'failover']);
    expect(actions('quota_exceeded')).toEqual(['use_cheaper_model', 'enable_caching', 'failover']);
    expect(actions('provider_outage')).toEqual(['failover']);
    expect(actions('latency')).toEqual(['failover']);
  });
  test('steps the provider is not configured for are marked unavailable', () => {
    expect(actions('rate_limit', { backupKey: false, backupEndpoint: false, cheaperModel: false })).toEqual([
      'use_backup_key(n/a)',
      'throttle',
      'failover',
    ]);
  });
});

describe('shift steps', () => {
  test('interpolation keeps integer weights summing to 100', () => {
    for (let pct = 0; pct <= 100; pct += 5) {
      const w = interpolateWeights({ openai: 33, anthropic: 67 }, { openai: 100 }, pct);
      expect(Object.values(w).reduce((a, b) => a + b, 0)).toBe(100);
      expect(Object.values(w).every(Number.isInteger)).toBe(true);
    }
  });
  test('gradual leaves 50 → 25 → 0 % on the source', () => {
    expect(failoverSteps('gradual', { openai: 100 }, 'openai', 'anthropic').map((s) => s.weights)).toEqual([
      { openai: 50, anthropic: 50 },
      { openai: 25, anthropic: 75 },
      { anthropic: 100 },
    ]);
  });
  test('canary sends 5 → 10 → 25 → 50 → 75 → 100 % to the target, validating the target', () => {
    const steps = failoverSteps('canary', { openai: 100 }, 'openai', 'bedrock');
    expect(steps.map((s) => s.weights.bedrock)).toEqual([5, 10, 25, 50, 75, 100]);
    expect(steps.every((s) => s.validate === 'bedrock')).toBe(true);
  });
  test('canary only moves the source share; other providers keep theirs', () => {
    expect(moveShare({ openai: 80, anthropic: 20 }, 'openai', 'bedrock', 50)).toEqual({
      openai: 40,
      anthropic: 20,
      bedrock: 40,
    });
  });
  test('failback returns 10 → 25 → 50 → 75 → 100 % of the way to the configured weights', () => {
    const steps = failbackSteps({ anthropic: 100 }, { openai: 100 }, 'openai');
    expect(steps.map((s) => s.weights.openai ?? 0)).toEqual([10, 25, 50, 75, 100]);
    expect(steps[4].weights).toEqual({ openai: 100 });
  });
  test('next healthy provider in chain order, wrapping; none left → null', () => {
    expect(nextHealthy(['a', 'b', 'c'], 'b', [])).toBe('c');
    expect(nextHealthy(['a', 'b', 'c'], 'b', ['c'])).toBe('a');
    expect(nextHealthy(['a', 'b'], 'a', ['b'])).toBeNull();
  });
});
