// The Grafana dashboard and Prometheus rules in deploy/ speak lifeline's metrics: every metric a query or
// rule names, and every label it matches or groups on, is one lifeline registers (read from the registry
// of a real API process, plus the worker's metrics it shares), so a renamed metric breaks this test, not
// the dashboard. promtool's own check of the rules is test/integration/promtool.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { parse } from 'yaml';
import { buildApi } from '../../api/server';
import { parseConfig } from '../../config/load';
import { createMetrics } from '../../metrics';
import { recordingClient } from '../helpers/api-harness';

const DEPLOY = join(__dirname, '..', '..', 'deploy');
const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana', 'dashboards', 'lifeline.json'), 'utf8'));
const rules = parse(readFileSync(join(DEPLOY, 'prometheus', 'lifeline.rules.yml'), 'utf8')) as {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
};

/** Prometheus's own series (scrape health), not lifeline's; with the labels its scrape config gives them. */
const PROMETHEUS_SERIES: Record<string, string[]> = { up: ['job', 'instance'] };
/** Labels Prometheus attaches to every scraped series, and `le` of histogram buckets. */
const TARGET_LABELS = ['job', 'instance'];

async function registered(): Promise<Map<string, string[]>> {
  const metrics = createMetrics();
  const app = await buildApi({
    config: parseConfig(
      'providers: [{ id: openai, kind: openai, baseUrl: "https://api.openai.com" }]\nchains: [{ id: chat, providers: [openai], weights: { openai: 100 } }]',
    ),
    client: recordingClient().client,
    logger: pino({ level: 'silent' }),
    env: {},
    metrics,
  });
  await app.close();
  const out = new Map<string, string[]>();
  for (const m of metrics.registry.getMetricsAsArray()) {
    const { name, labelNames = [] } = m as unknown as { name: string; labelNames?: string[] };
    const type = (m as unknown as { type?: string }).type;
    if (type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count'])
        out.set(name + suffix, [...labelNames, ...(suffix === '_bucket' ? ['le'] : [])]);
    else out.set(name, [...labelNames]);
  }
  return out;
}

const FUNCTIONS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'rate',
  'increase',
  'changes',
  'histogram_quantile',
  'absent',
  'by',
  'on',
  'without',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'humanizePercentage',
]);

/** Metric names and the labels each expression uses on them (matchers, by/on clauses). */
function usage(expr: string): { metrics: string[]; matchers: { metric: string; label: string }[]; grouping: string[] } {
  const clean = expr.replace(/"[^"]*"/g, '""');
  const metrics = [...clean.matchAll(/(?<![\w$.])([a-zA-Z_:][\w:]*)\s*(?=\{|\[|\)|\s|$|>|<|=|\*|\+|\/|-)/g)]
    .map((m) => m[1])
    .filter((name, i, all) => !FUNCTIONS.has(name) && !/^\d/.test(name) && all.indexOf(name) === i);
  const matchers = [...clean.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)].flatMap((m) =>
    m[2]
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
      .map((x) => ({ metric: m[1], label: /^(\w+)/.exec(x)![1] })),
  );
  const grouping = [...clean.matchAll(/\b(?:by|on|without|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
  // Labels named inside by()/on() and matchers are not metrics.
  const labels = new Set([...grouping, ...matchers.map((m) => m.label)]);
  return {
    metrics: metrics.filter((n) => !labels.has(n) || n.startsWith('lifeline_') || n === 'up'),
    matchers,
    grouping,
  };
}

const dashboardExprs = (): { where: string; expr: string }[] =>
  (dashboard.panels as { title: string; targets?: { expr: string }[] }[]).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })),
  );
const ruleExprs = () => rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${r.alert}`, expr: r.expr })));

/** Problems of one expression against the registered metrics: unknown metric names or labels. */
function problems(where: string, expr: string, known: Map<string, string[]>): string[] {
  const u = usage(expr);
  const out: string[] = [];
  if (!u.metrics.length) out.push(`${where}: names no metric: ${expr}`);
  const labelsOf = (m: string) => [...(known.get(m) ?? PROMETHEUS_SERIES[m] ?? []), ...TARGET_LABELS];
  for (const m of u.metrics)
    if (!known.has(m) && !PROMETHEUS_SERIES[m]) out.push(`${where}: metric ${m} is not registered by lifeline`);
  for (const { metric, label } of u.matchers)
    if (!labelsOf(metric).includes(label)) out.push(`${where}: ${metric} has no label "${label}"`);
  const all = new Set(u.metrics.flatMap(labelsOf));
  for (const label of u.grouping)
    if (!all.has(label)) out.push(`${where}: groups on "${label}", which none of ${u.metrics.join(', ')} has`);
  return out;
}

test('the expression parser finds metrics and labels (and so can fail)', async () => {
  expect(usage('sum by (provider) (rate(lifeline_probes_total{outcome!="ok"}[5m]))')).toEqual({
    metrics: ['lifeline_probes_total'],
    matchers: [{ metric: 'lifeline_probes_total', label: 'outcome' }],
    grouping: ['provider'],
  });
  const known = await registered();
  expect(problems('x', 'rate(lifeline_ingest_requests_total{status=~"5.."}[5m])', known)).toEqual([
    'x: lifeline_ingest_requests_total has no label "status"',
  ]);
  expect(problems('x', 'lifeline_provider_up == 0', known)).toEqual([
    'x: metric lifeline_provider_up is not registered by lifeline',
  ]);
  expect(problems('x', 'sum by (chain) (lifeline_provider_healthy)', known)).toEqual([
    'x: groups on "chain", which none of lifeline_provider_healthy has',
  ]);
});

test('every metric and label the dashboard and the rules use is one lifeline registers', async () => {
  const known = await registered();
  const exprs = [...dashboardExprs(), ...ruleExprs()];
  expect(exprs.length).toBeGreaterThan(20);
  expect(exprs.flatMap((e) => problems(e.where, e.expr, known))).toEqual([]);
});

test('the dashboard covers what the on-call looks at; the rules the runbook alerts', () => {
  const all = dashboardExprs()
    .map((e) => e.expr)
    .join('\n');
  for (const m of [
    'lifeline_provider_healthy',
    'lifeline_breaker_state',
    'lifeline_route_weight',
    'lifeline_route_version',
    'lifeline_incident_time_to_resolve_seconds',
    'lifeline_ingest_requests_total',
    'lifeline_notification_deliveries_total',
  ]) {
    expect({ m, used: all.includes(m) }).toEqual({ m, used: true });
  }
  expect(
    new Set(
      (dashboard.panels as { datasource?: { uid: string } }[])
        .filter((p) => p.datasource)
        .map((p) => p.datasource!.uid),
    ),
  ).toEqual(new Set(['lifeline-prometheus']));
  const provisioned = parse(
    readFileSync(join(DEPLOY, 'grafana', 'provisioning', 'datasources', 'prometheus.yaml'), 'utf8'),
  );
  expect(provisioned.datasources[0]).toMatchObject({
    uid: 'lifeline-prometheus',
    type: 'prometheus',
    url: 'http://prometheus:9090',
  });
  expect(rules.groups.flatMap((g) => g.rules.map((r) => r.alert))).toEqual(
    expect.arrayContaining([
      'LifelineFailoverFailed',
      'LifelineProviderOutageOver5m',
      'LifelineIngestErrorBudgetBurn',
      'LifelineApiDown',
      'LifelineWorkerDown',
    ]),
  );
  // The "lifeline down" rules select the jobs the Prometheus config scrapes.
  const jobs = (
    parse(readFileSync(join(DEPLOY, 'prometheus', 'prometheus.yml'), 'utf8')).scrape_configs as { job_name: string }[]
  ).map((j) => j.job_name);
  expect(jobs).toEqual(['lifeline-api', 'lifeline-worker']);
});
