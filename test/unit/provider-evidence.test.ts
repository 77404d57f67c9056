// A failback's outcome evidence: what the monitor's window holds since a moment, and how the shift judges
// it (ready at once; a step clean, failing or too thin to say).
import { emptyCounts, addOutcome } from '../../domain/outcome-counts';
import { minuteOf, newOutcomeMemory, recordBucket } from '../../domain/outcome-window';
import { evidenceSince, judgeStep, readyOnEvidence } from '../../domain/provider-evidence';

const T0 = Date.parse('2026-11-30T12:00:00.000Z');
const S = { minRequests: 5, stepMs: 3000 };

function add(m: ReturnType<typeof newOutcomeMemory>, at: number, ok: number, failed = 0): void {
  const c = emptyCounts();
  for (let i = 0; i < ok + failed; i++) addOutcome(c, { ok: i >= failed, latencyMs: 50, final: true });
  const window = { minRequests: 20, errorShare: 0.5, windowMs: 10_000 };
  recordBucket(m, { minutes: [{ minute: minuteOf(at), counts: c }], recent: c, window }, at, false);
}

test('evidence counts outcomes since the moment (its own second included), within the window', () => {
  const m = newOutcomeMemory();
  add(m, T0, 3, 1); // before: a failure
  add(m, T0 + 4000, 2);
  add(m, T0 + 6000, 4);
  expect(evidenceSince(m, T0 + 4500, T0 + 6500)).toEqual({ attempts: 6, errors: 0, errorShare: 0.5, windowMs: 10_000 });
  // Since T0: the failure counts.
  expect(evidenceSince(m, T0, T0 + 6500)).toMatchObject({ attempts: 10, errors: 1 });
  // Older than the window: gone, whatever `since` says.
  expect(evidenceSince(m, T0, T0 + 14_500)).toMatchObject({ attempts: 4, errors: 0 });
});

test('ready on evidence: enough attempts and not one failed', () => {
  const e = (attempts: number, errors = 0) => ({ attempts, errors, errorShare: 0.5, windowMs: 10_000 });
  expect(readyOnEvidence(e(5), S)).toBe(true);
  expect(readyOnEvidence(e(4), S)).toBe(false);
  expect(readyOnEvidence(e(50, 1), S)).toBe(false);
  expect(readyOnEvidence(null, S)).toBe(false);
});

test('a step: clean below the passive share with enough attempts, failing at it, thin otherwise', () => {
  const e = (attempts: number, errors = 0) => ({ attempts, errors, errorShare: 0.5, windowMs: 10_000 });
  expect(judgeStep(e(5), S)).toBe('clean');
  expect(judgeStep(e(10, 1), S)).toBe('clean');
  expect(judgeStep(e(4), S)).toBe('thin');
  expect(judgeStep(e(0), S)).toBe('thin');
  expect(judgeStep(null, S)).toBe('thin');
  expect(judgeStep(e(1, 1), S)).toBe('failing');
  expect(judgeStep(e(10, 5), S)).toBe('failing');
});
