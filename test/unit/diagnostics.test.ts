// The diagnostic checklist against the simulated providers: each sim fault mode → the right root cause,
// with the evidence that decided it; plus the network, status-page and model checks, and the checks
// recovery steps run (backup key). Real HTTP on 127.0.0.1, no Temporal.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { Client } from '@temporalio/client';
import { createDiagnoseActivities } from '../../activities/diagnose';
import { createRecoveryActivities } from '../../activities/recovery';
import type { ActivityDeps } from '../../activities/deps';
import { parseConfig } from '../../config/load';
import { startSimulator, type SimFaultMode, type Simulator } from '../../sim';

const KEY = 'sk-good-0123456789';
let sim: Simulator;
let statusPage: Server;
let statusIndicator = 'none';
let closedPort: number;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  sim = await startSimulator({
    providers: [
      { id: 'openai', kind: 'openai', models: ['gpt-4o-mini'] },
      { id: 'anthropic', kind: 'anthropic', models: ['claude-haiku-4-5'] },
      { id: 'keyed', kind: 'openai', apiKey: KEY, models: ['gpt-4o-mini'] },
    ],
  });
  statusPage = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        status: { indicator: statusIndicator, description: `indicator ${statusIndicator}` },
        incidents: statusIndicator === 'none' ? [] : [{ name: 'Elevated errors', status: 'investigating' }],
      }),
    );
  });
  const statusPort = await listen(statusPage);
  const probe = createServer();
  closedPort = await listen(probe);
  await new Promise((r) => probe.close(r)); // nothing listens there any more: connection refused
  const yaml = `
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai", models: [gpt-4o-mini], statusPage: "http://127.0.0.1:${statusPort}", probe: { timeoutMs: 400 } }
  - { id: anthropic, kind: anthropic, baseUrl: "sim:anthropic", models: [claude-haiku-4-5, claude-retired-1], probe: { timeoutMs: 400 } }
  - { id: keyed, kind: openai, baseUrl: "sim:keyed", apiKeyEnv: KEYED_KEY, backupApiKeyEnv: KEYED_BACKUP, models: [gpt-4o-mini], probe: { timeoutMs: 400 } }
  - { id: gone, kind: openai, baseUrl: "http://127.0.0.1:${closedPort}", probe: { timeoutMs: 400 } }
chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
`;
  deps = {
    config: parseConfig(yaml),
    client: {} as Client, // diagnostics never touch Temporal
    logger: pino({ level: 'silent' }),
    baseUrlFor: (id) => (id === 'gone' ? `http://127.0.0.1:${closedPort}` : sim.baseUrlFor(id)),
    env: { KEYED_KEY: 'sk-revoked-000', KEYED_BACKUP: KEY },
  };
});
afterEach(() => {
  ['openai', 'anthropic', 'keyed'].forEach((id) => sim.setFault(id, { mode: 'healthy' }));
  statusIndicator = 'none';
});
afterAll(async () => {
  await sim.close();
  await new Promise((r) => statusPage.close(r));
});

let deps: ActivityDeps;
const diagnose = (provider: string, alertKinds: string[] = []) =>
  createDiagnoseActivities(deps).diagnoseProvider(provider, { alertKinds });
const check = (d: Awaited<ReturnType<typeof diagnose>>, name: string) => d.checks.find((c) => c.name === name);

describe('each sim fault mode is diagnosed as its root cause', () => {
  const cases: [SimFaultMode, string, string][] = [
    ['outage', 'openai', 'provider_outage'],
    ['outage', 'anthropic', 'provider_outage'],
    ['overloaded', 'anthropic', 'overloaded'],
    ['rate_limit', 'openai', 'rate_limit'],
    ['quota', 'openai', 'quota_exceeded'],
    ['billing', 'anthropic', 'quota_exceeded'],
    ['auth', 'openai', 'authentication'],
    ['hang', 'openai', 'latency'],
  ];
  test.each(cases)('%s on %s → %s', async (mode, provider, cause) => {
    sim.setFault(provider, { mode });
    const d = await diagnose(provider);
    expect(d.rootCause).toBe(cause);
    expect(d.evidence?.length).toBeGreaterThan(0);
    expect(d.recommendations.length).toBeGreaterThan(0);
    // The network itself is fine in every one of these: the checklist must say so.
    expect(check(d, 'dns')?.status).toBe('passed');
    expect(check(d, 'tcp')?.status).toBe('passed');
    expect(check(d, 'tls')?.detail).toContain('not applicable');
  });
});

test('a healthy provider has no root cause and every check passes', async () => {
  const d = await diagnose('openai');
  expect(d.rootCause).toBe('unknown');
  expect(d.checks.filter((c) => c.status !== 'passed').map((c) => c.name)).toEqual([]);
  expect(check(d, 'model:gpt-4o-mini')?.status).toBe('passed');
  expect(check(d, 'status_page')?.detail).toContain('none');
});

test('connection refused → network, found by the TCP check', async () => {
  const d = await diagnose('gone');
  expect(d.rootCause).toBe('network');
  expect(check(d, 'tcp')).toMatchObject({ status: 'failed', suggests: 'network' });
  expect(d.evidence?.[0]).toMatch(/^tcp: .*ECONNREFUSED/);
});

test('a configured model the provider no longer serves → model_unavailable (404)', async () => {
  const d = await diagnose('anthropic');
  expect(d.rootCause).toBe('model_unavailable');
  expect(check(d, 'model:claude-retired-1')).toMatchObject({
    status: 'failed',
    detail: expect.stringContaining('404'),
  });
  expect(check(d, 'model:claude-haiku-4-5')?.status).toBe('passed');
});

test('the status page reporting a major outage is evidence of provider_outage', async () => {
  statusIndicator = 'major';
  const d = await diagnose('openai');
  expect(check(d, 'status_page')).toMatchObject({
    status: 'failed',
    suggests: 'provider_outage',
    detail: expect.stringContaining('Elevated errors'),
  });
  expect(d.rootCause).toBe('provider_outage');
});

test('a 429 share in the recent alerts marks rate limiting even when one probe gets through', async () => {
  const d = await diagnose('openai', ['rate_limit', 'rate_limit', 'rate_limit', 'outage']);
  expect(check(d, 'rate_limit')).toMatchObject({
    status: 'failed',
    evidence: expect.objectContaining({ recent429Share: 0.75 }),
  });
  expect(d.rootCause).toBe('rate_limit');
});

test('revoked primary key, valid backup: authentication, and the backup-key recovery check is healthy', async () => {
  const d = await diagnose('keyed');
  expect(d.rootCause).toBe('authentication');
  expect(check(d, 'credentials_primary')).toMatchObject({
    status: 'failed',
    detail: 'primary key rejected (HTTP 401)',
  });
  expect(check(d, 'credentials_backup')?.status).toBe('passed');
  expect(JSON.stringify(d)).not.toContain(KEY); // secrets never reach history
  expect(JSON.stringify(d)).not.toContain('sk-revoked-000');
  const recovery = createRecoveryActivities(deps);
  await expect(recovery.checkRecovery({ provider: 'keyed', action: 'use_backup_key' })).resolves.toMatchObject({
    healthy: true,
  });
  await expect(recovery.checkRecovery({ provider: 'keyed', action: 'throttle' })).resolves.toMatchObject({
    healthy: false,
  });
});
