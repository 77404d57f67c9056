// The SLO report's surfaces without a Temporal server: GET /v1/slos (read scope; the configured objectives
// with no data before the entity exists), the scrape-time gauges, `/incident slo` (grammar and text) and the
// cells `lifeline slo` prints.
import type { Client } from '@temporalio/client';
import pino from 'pino';
import { buildApi } from '../../api/server';
import { parseConfig } from '../../config/load';
import { parseSlackCommand } from '../../api/slack/parse';
import { sloText } from '../../api/slack/slo-text';
import { quotaCells, sloCells } from '../../domain/slo-format';
import { SLO_WORKFLOW_ID, type SloReport } from '../../workflows/messages';
import { recordingClient } from '../helpers/api-harness';
import { newIncidentState } from '../../domain/incident';
import { buildReportModel } from '../../domain/report';
import { renderReport } from '../../render/report';

const config = parseConfig(`
auth: { tokens: [{ name: dash, tokenEnv: T_READ, scopes: [read] }] }
providers: [{ id: openai, kind: openai, baseUrl: "sim:openai" }]
slos:
  - { id: openai-availability, provider: openai, sli: availability, target: 99.9, window: 30d }
`);

const report: SloReport = {
  at: '2026-01-01T00:00:00.000Z',
  slos: [
    {
      id: 'openai-availability',
      sli: 'availability',
      provider: 'openai',
      target: 99.9,
      windowMs: 30 * 86_400_000,
      value: 0.9985,
      good: 9985,
      total: 10_000,
      budgetRemaining: -0.5,
      burnRates: { '5m': 20, '30m': 18, '1h': 16.2, '6h': 4 },
      alert: 'fast',
      burning: true,
      incidentId: 'openai-7',
    },
  ],
  quotas: [
    {
      provider: 'openai',
      kind: 'requests',
      remaining: 400,
      limit: 1000,
      perMinute: 50,
      exhaustAt: '2026-01-01T00:08:00.000Z',
      resetAt: '2026-01-01T02:00:00.000Z',
      exhausts: true,
      alerting: true,
      incidentId: 'openai-8',
    },
  ],
};

/** The harness's no-workflow client, except that the SLO entity answers with `r` when given. */
function clientWith(r?: SloReport): Client {
  const { client } = recordingClient();
  const getHandle = client.workflow.getHandle.bind(client.workflow);
  (client.workflow as { getHandle: unknown }).getHandle = (id: string) =>
    id === SLO_WORKFLOW_ID && r ? { ...getHandle(id), query: async () => r } : getHandle(id);
  // The gauges read under a deadline (client/bounded.ts).
  (client as { withAbortSignal: unknown }).withAbortSignal = <T>(_s: AbortSignal, fn: () => Promise<T>) => fn();
  return client;
}

async function api(r?: SloReport) {
  return buildApi({ config, client: clientWith(r), logger: pino({ level: 'silent' }), env: { T_READ: 'tok' } });
}

test('GET /v1/slos needs the read scope and returns the entity report', async () => {
  const app = await api(report);
  try {
    expect((await app.inject({ method: 'GET', url: '/v1/slos' })).statusCode).toBe(401);
    const res = await app.inject({ method: 'GET', url: '/v1/slos', headers: { authorization: 'Bearer tok' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ...report, running: true });
  } finally {
    await app.close();
  }
});

test('before any samples the configured objectives are listed with no data', async () => {
  const app = await api();
  try {
    const res = await app.inject({ method: 'GET', url: '/v1/slos', headers: { authorization: 'Bearer tok' } });
    expect(res.json()).toMatchObject({
      running: false,
      quotas: [],
      slos: [{ id: 'openai-availability', value: null, total: 0, budgetRemaining: 1, alert: null }],
    });
  } finally {
    await app.close();
  }
});

test('metrics carry budget remaining, burn rates per window, the alert and the quota forecast', async () => {
  const app = await api(report);
  try {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('lifeline_slo_budget_remaining{slo="openai-availability",sli="availability"} -0.5');
    expect(text).toContain('lifeline_slo_burn_rate{slo="openai-availability",window="1h"} 16.2');
    expect(text).toContain('lifeline_slo_alerting{slo="openai-availability"} 1');
    expect(text).toMatch(/lifeline_quota_exhaustion_seconds\{provider="openai",kind="requests"\} \d+/);
  } finally {
    await app.close();
  }
});

test('/incident slo [id]: grammar and text', () => {
  expect(parseSlackCommand('slo')).toEqual({ ok: true, command: { verb: 'slo' } });
  expect(parseSlackCommand('SLO openai-availability')).toEqual({
    ok: true,
    command: { verb: 'slo', id: 'openai-availability' },
  });
  const text = sloText(report)!;
  expect(text).toContain('`openai-availability` openai availability 99.9% over 30d');
  expect(text).toContain('budget left -50.0%');
  expect(text).toContain('*burning (fast) openai-7*');
  expect(text).toContain('openai requests: 400/1000 left, 50.0/min, runs out in ~8 min — *alerting openai-8*');
  expect(sloText(report, 'nope')).toBeNull();
});

test('lifeline slo cells', () => {
  expect(sloCells(report.slos[0])).toEqual([
    'openai-availability',
    'openai',
    'availability',
    '99.9%',
    '30d',
    '99.850%',
    '-50.0%',
    '16.2×',
    '4.0×',
    'burning (fast) openai-7',
  ]);
  expect(quotaCells({ ...report.quotas[0], exhausts: false, alerting: false }, Date.parse(report.at))[4]).toBe(
    'resets first',
  );
});

test("an incident's report shows the error budget it spent (and nothing without SLOs)", async () => {
  const s = newIncidentState({ id: 'openai-7', scope: 'openai', provider: 'openai', title: 'burn', now: report.at });
  const withBudget = buildReportModel(s, undefined, {
    sloBudget: [{ id: 'openai-availability', spent: 0.123, remaining: 0.42 }],
  });
  expect(withBudget.sloBudget).toEqual([{ id: 'openai-availability', spent: '12.3%', remaining: '42.0%' }]);
  const md = await renderReport(withBudget, 'md');
  expect(md).toContain('## Error budget spent');
  expect(md).toContain('| `openai-availability` | 12.3% | 42.0% |');
  expect(await renderReport(withBudget, 'html')).toContain('<td><code>openai-availability</code></td><td>12.3%</td>');
  expect(await renderReport(buildReportModel(s), 'md')).not.toContain('Error budget spent');
});
