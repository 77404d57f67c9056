// Group commit: while a signal for a scope is in flight, later alerts of that scope wait and go together.
import { AlertBatcher, type BatchMode } from '../../client/alert-batcher';
import type { Alert } from '../../domain/incident';
import { waitFor } from '../helpers/wait';

const alert = (i: number, provider = 'openai'): Alert => ({
  provider,
  kind: 'outage',
  summary: `a${i}`,
  source: 't',
  observedAt: '2026-11-22T10:00:00Z',
});

function controlledSender() {
  const calls: { scope: string; alerts: Alert[]; mode: BatchMode; release(): void; fail(e: Error): void }[] = [];
  const send = (scope: string, alerts: Alert[], mode: BatchMode) =>
    new Promise<{ incidentId: string; deduplicated: boolean }>((resolve, reject) =>
      calls.push({
        scope,
        alerts,
        mode,
        release: () => resolve({ incidentId: `${scope}-1`, deduplicated: calls.length > 1 }),
        fail: reject,
      }),
    );
  return { calls, send };
}
const tick = () => new Promise((r) => setImmediate(r));

test('concurrent alerts of one scope share signals; each caller resolves only when its batch is accepted', async () => {
  const { calls, send } = controlledSender();
  const b = new AlertBatcher(send);
  let done = 0;
  const first = b.record('openai', [alert(0)]).then((r) => (done++, r));
  const rest = Array.from({ length: 99 }, (_, i) => b.record('openai', [alert(i + 1)]).then((r) => (done++, r)));
  await tick();
  expect(calls).toHaveLength(1); // the other 99 wait behind the first signal
  expect(done).toBe(0);
  calls[0].release();
  await first;
  await tick();
  expect(done).toBe(1); // not acknowledged before their own signal is accepted
  expect(calls).toHaveLength(2);
  expect(calls[1].alerts).toHaveLength(99);
  calls[1].release();
  const results = await Promise.all(rest);
  expect(results.every((r) => r.incidentId === 'openai-1')).toBe(true);
  expect(b.stats).toEqual({ signals: 2, alerts: 100, largestBatch: 99 });
});

test('scopes and modes are separate lanes; batches respect the size cap without splitting a request', async () => {
  const { calls, send } = controlledSender();
  const b = new AlertBatcher(send, { maxAlerts: 3, maxBytes: 1_000_000 });
  const ps = [
    b.record('openai', [alert(0)]),
    b.record('anthropic', [alert(1, 'anthropic')]),
    b.record('openai', [alert(2)], 'existing'),
  ];
  await tick();
  expect(calls.map((c) => `${c.scope}/${c.mode}`).sort()).toEqual(['anthropic/open', 'openai/existing', 'openai/open']);
  const more = [
    b.record('openai', [alert(3), alert(4)]),
    b.record('openai', [alert(5), alert(6)]),
    b.record('openai', [alert(7)]),
  ];
  calls.forEach((c) => c.release());
  await Promise.all(ps);
  await tick();
  const openai = calls.filter((c) => c.scope === 'openai' && c.mode === 'open');
  expect(openai.map((c) => c.alerts.length)).toEqual([1, 2]); // 2 + 2 would exceed 3
  openai[1].release();
  await tick();
  const again = calls.filter((c) => c.scope === 'openai' && c.mode === 'open');
  expect(again.map((c) => c.alerts.length)).toEqual([1, 2, 3]);
  again[2].release();
  await Promise.all(more);
});

test('a failed signal fails only its own callers; the next batch still goes', async () => {
  const { calls, send } = controlledSender();
  const b = new AlertBatcher(send);
  const a = b.record('openai', [alert(0)]);
  await tick();
  const c = b.record('openai', [alert(1)]);
  calls[0].fail(new Error('temporal unavailable'));
  await expect(a).rejects.toThrow('temporal unavailable');
  await tick();
  calls[1].release();
  await expect(c).resolves.toMatchObject({ incidentId: 'openai-1' });
});

test('with a group-commit window, alerts arriving within it go in the same signal as the first', async () => {
  const { calls, send } = controlledSender();
  const b = new AlertBatcher(send, { delayMs: 20 });
  const first = b.record('openai', [alert(0)]);
  await tick();
  expect(calls).toHaveLength(0); // still gathering
  const second = b.record('openai', [alert(1)]);
  await waitFor(
    async () => calls.length,
    (n) => n === 1,
    'the batch to go',
    5_000,
    2,
  );
  expect(calls[0].alerts.map((a) => a.summary)).toEqual(['a0', 'a1']);
  calls[0].release();
  await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  expect(b.stats.signals).toBe(1);
});
