// `slos:` and `quotaForecast:` (config/slos.ts): windows in words or ms, defaults, every problem at its key,
// references to unknown providers and services, and the settings the SLO entity gets (client/slos.ts).
import { ConfigError, parseConfig } from '../../config/load';
import { sloSettingsOf } from '../../client/slos';

const base = `
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai" }
  - { id: anthropic, kind: anthropic, baseUrl: "sim:anthropic" }
chains: [{ id: chat, providers: [openai, anthropic], weights: { openai: 100 } }]
services: [{ id: support-bot, chains: [chat], users: 10 }]
`;

function problems(yaml: string): string[] {
  try {
    parseConfig(base + yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

test('objectives parse with windows in words or milliseconds and defaults', () => {
  const c = parseConfig(
    base +
      `
slos:
  - { id: openai-availability, provider: openai, sli: availability, target: 99.9, window: 30d }
  - { id: openai-latency, provider: openai, sli: latency, target: 95, thresholdMs: 2000, window: 604800000 }
  - { id: bot-primary, service: support-bot, sli: primary_share, target: 99 }
quotaForecast: { horizon: 20m }
`,
  );
  expect(c.slos.map((s) => s.window)).toEqual([30 * 86_400_000, 7 * 86_400_000, 30 * 86_400_000]);
  expect(c.quotaForecast).toEqual({ enabled: true, horizon: 20 * 60_000, lookback: 10 * 60_000, minSamples: 3 });
  expect(c.worker.sloFlushMs).toBe(60_000);
  const settings = sloSettingsOf(c);
  expect(settings.slos[2]).toMatchObject({
    service: 'support-bot',
    providers: ['openai', 'anthropic'],
    chains: ['chat'],
  });
});

test('no slos: an empty list, forecasts on by default', () => {
  const c = parseConfig(base);
  expect(c.slos).toEqual([]);
  expect(c.quotaForecast.enabled).toBe(true);
});

test('every problem is reported at its key', () => {
  const p = problems(`
slos:
  - { id: a, provider: openai, service: support-bot, sli: availability, target: 99.9 }
  - { id: b, provider: openai, sli: latency, target: 95 }
  - { id: c, provider: openai, sli: availability, target: 100, window: 1h }
  - { id: d, service: support-bot, sli: availability, target: 99, window: fortnight }
  - { id: e, provider: nope, sli: availability, target: 99 }
  - { id: f, service: nobody, sli: availability, target: 99 }
  - { id: g, provider: openai, sli: primary_share, target: 99 }
  - { id: a, provider: openai, sli: availability, target: 99 }
quotaForecast: { horizon: soon }
`);
  expect(p).toEqual(
    expect.arrayContaining([
      'slos.0.provider: set exactly one of provider and service',
      'slos.1.thresholdMs: required for sli latency',
      expect.stringMatching(/^slos\.2\.target: /),
      'slos.2.window: must be at least 6h (the slow burn window)',
      expect.stringMatching(/^slos\.3\.window: must be a duration such as "30d"/),
      'slos.4.provider: unknown provider "nope"',
      'slos.5.service: unknown service "nobody"',
      'slos.6.sli: primary_share is measured per service (its chains), not per provider',
      'slos.7.id: duplicate slo id "a"',
      expect.stringMatching(/^quotaForecast\.horizon: must be a duration/),
    ]),
  );
});
