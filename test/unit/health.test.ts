import { newTracker, observe } from '../../domain/health';

test('N consecutive failures open, M consecutive successes close, and a success resets the count', () => {
  const t = newTracker();
  const th = { failuresToOpen: 3, successesToClose: 2 };
  expect([false, false].map((ok) => observe(t, ok, th))).toEqual([false, false]);
  expect(observe(t, true, th)).toBe(false); // reset: intermittent errors do not open
  expect([false, false, false].map((ok) => observe(t, ok, th))).toEqual([false, false, true]);
  expect(t.healthy).toBe(false);
  expect(observe(t, false, th)).toBe(false); // already unhealthy: no second transition
  expect([true, false, true, true].map((ok) => observe(t, ok, th))).toEqual([false, false, false, true]);
  expect(t.healthy).toBe(true);
});

test('the transition remembers when its streak began (the fault time, for MTTD)', () => {
  const t = newTracker();
  observe(t, true, undefined, 't0');
  observe(t, false, undefined, 't1');
  observe(t, false, undefined, 't2');
  expect(observe(t, false, undefined, 't3')).toBe(true);
  expect(t.streakStartedAt).toBe('t1');
});
