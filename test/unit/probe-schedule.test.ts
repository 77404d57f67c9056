import { planProbe, slowProbeMs, typicalLatency, type ProbeScheduleInput } from '../../domain/probe-schedule';

const base: ProbeScheduleInput = {
  now: 10_000,
  intervalMs: 1000,
  timeoutMs: 2000,
  lastLaunchAt: 9_990,
  inFlightSince: [],
  confirmingFailure: false,
  typicalLatencyMs: 20,
  maxInFlight: 3,
};

test('the first probe goes out at once', () => {
  expect(planProbe({ ...base, lastLaunchAt: undefined })).toEqual({ launch: true });
});

test('a healthy provider is probed once per interval', () => {
  expect(planProbe({ ...base, now: 10_500, lastLaunchAt: 10_000 })).toEqual({ launch: false, wakeAt: 11_000 });
  expect(planProbe({ ...base, now: 11_000, lastLaunchAt: 10_000 })).toEqual({ launch: true });
});

test('a failure while healthy is confirmed at a fifth of the interval', () => {
  expect(planProbe({ ...base, now: 10_150, lastLaunchAt: 10_000, confirmingFailure: true })).toEqual({
    launch: false,
    wakeAt: 10_200,
  });
  expect(planProbe({ ...base, now: 10_200, lastLaunchAt: 10_000, confirmingFailure: true })).toEqual({ launch: true });
});

test('a probe unanswered well past the usual latency is a suspected hang: probe again without waiting for its timeout', () => {
  // Usual latency 20 ms → slow after 250 ms (the floor). Before that, wake when it turns slow.
  expect(planProbe({ ...base, now: 10_100, lastLaunchAt: 10_000, inFlightSince: [10_000] })).toEqual({
    launch: false,
    wakeAt: 10_250,
  });
  expect(planProbe({ ...base, now: 10_250, lastLaunchAt: 10_000, inFlightSince: [10_000] })).toEqual({ launch: true });
  // Then at the fast cadence until enough probes are out for a verdict …
  expect(planProbe({ ...base, now: 10_300, lastLaunchAt: 10_250, inFlightSince: [10_000, 10_250] })).toEqual({
    launch: false,
    wakeAt: 10_450,
  });
  expect(planProbe({ ...base, now: 10_450, lastLaunchAt: 10_250, inFlightSince: [10_000, 10_250] })).toEqual({
    launch: true,
  });
  // … and no more than that.
  expect(planProbe({ ...base, now: 10_900, lastLaunchAt: 10_450, inFlightSince: [10_000, 10_250, 10_450] })).toEqual({
    launch: false,
  });
});

test('the hang threshold follows the provider’s own latency, within [250 ms, timeout / 2]', () => {
  expect(slowProbeMs(20, 2000)).toBe(250);
  expect(slowProbeMs(200, 2000)).toBe(800);
  expect(slowProbeMs(900, 2000)).toBe(1000);
  expect(slowProbeMs(undefined, 5000)).toBe(2500);
  expect(typicalLatency([30, 10, 20])).toBe(20);
  expect(typicalLatency([])).toBeUndefined();
});
