import { DEFAULT_DETECTION } from '../../domain/detection';
import { readFileSync } from 'node:fs';
import { ConfigError, demoConfigPath, loadConfig, parseConfig, readSecret } from '../../config/load';

const minimal = `
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com, apiKeyEnv: OPENAI_API_KEY }
  - { id: anthropic, kind: anthropic, baseUrl: https://api.anthropic.com }
chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
services:
  - { id: support-bot, chains: [chat], users: 12000 }
`;

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

test('a minimal config gets the documented defaults', () => {
  const c = parseConfig(minimal);
  expect(c.server).toEqual({ host: '127.0.0.1', port: 8080 });
  expect(c.temporal).toMatchObject({ address: 'embedded', namespace: 'default', taskQueue: 'lifeline' });
  expect(c.providers[0].probe).toEqual({ intervalMs: 30_000, timeoutMs: 5_000 });
  // The config's defaults are the detector's own (domain/detection.ts), plus the breaker's.
  expect(c.providers[0].detection).toEqual({ ...DEFAULT_DETECTION, breakerCooldownMs: 5000, trialsToClose: 2 });
  expect(c.ingest).toEqual({
    alertmanagerProviderLabel: 'provider',
    rateLimit: { perSecond: 100, burst: 500 },
    groupCommitDelayMs: 5,
  });
  expect(c.escalation.ackTimeoutMs).toBe(300_000);
  expect(c.statusUpdates.SEV1).toBe(15 * 60_000);
});

test('every problem is reported at once as path: message', () => {
  const p = problems(`
server: { port: 99999 }
temporal: { address: "not an address" }
providers:
  - { id: openai, kind: gpt, baseUrl: ftp://x, apiKey: sk-inline-secret }
  - { id: openai, kind: anthropic, baseUrl: https://api.anthropic.com, apiKeyEnv: lower-case }
chains:
  - { id: chat, providers: [openai, mistral], weights: { openai: 60 } }
services:
  - { id: bot, chains: [nope], users: -1 }
`);
  expect(p).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^server\.port: /),
      expect.stringMatching(/^temporal\.address: must be "embedded" or host:port/),
      expect.stringMatching(/^providers\.0\.kind: /),
      expect.stringMatching(/^providers\.0\.baseUrl: must be an http\(s\) URL/),
      expect.stringMatching(/^providers\.0: .*apiKey/), // inline secrets are unknown keys
      expect.stringMatching(/^providers\.1\.apiKeyEnv: must be an environment variable name/),
      expect.stringMatching(/^services\.0\.users: /),
    ]),
  );
});

test('cross-references are checked: duplicates, unknown providers and chains, weights', () => {
  const p = problems(`
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com }
  - { id: openai, kind: openai, baseUrl: https://api.openai.com }
chains:
  - { id: chat, providers: [openai, mistral], weights: { openai: 60 } }
services:
  - { id: bot, chains: [nope], users: 1 }
`);
  expect(p).toEqual(
    expect.arrayContaining([
      'providers.1.id: duplicate provider id "openai"',
      'chains.0.providers.1: unknown provider "mistral"',
      'chains.0.weights: weights must sum to 100 (got 60)',
      'services.0.chains.0: unknown chain "nope"',
    ]),
  );
});

test('YAML syntax errors name the line', () => {
  expect(problems('providers: [\n  { id: a,, }')[0]).toMatch(/^\(yaml\) line \d+: /);
});

test('a missing file is a ConfigError naming the file', () => {
  expect(() => loadConfig('/nonexistent/lifeline.config.yaml')).toThrow(/cannot read/);
});

test('the bundled demo config is valid and uses simulated providers only', () => {
  const c = loadConfig(demoConfigPath());
  expect(c.providers.every((p) => p.baseUrl.startsWith('sim:'))).toBe(true);
  expect(readFileSync(demoConfigPath(), 'utf8')).not.toMatch(/sk-|xox[bp]-/);
});

test('secrets are read from the environment by name', () => {
  expect(readSecret('X_KEY', { X_KEY: 'v' })).toBe('v');
  expect(readSecret('X_KEY', { X_KEY: '' })).toBeUndefined();
  expect(readSecret(undefined, {})).toBeUndefined();
});
