// What the public sees: private notes never, public updates word for word, only true statements about
// traffic, human titles and names, one page name, stable component dates, and a sign-up form that works
// without JavaScript and exists only when mail can be sent.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addTimeline, newIncidentState, type IncidentState, type Phase } from '../../domain/incident';
import { displayName, publicUpdates, toPublicIncident, type ComponentDef } from '../../domain/public-status';
import { statusSnapshot } from '../../status/model';
import { renderStatusPage } from '../../status/page';
import { summaryJson } from '../../status/statuspage-json';
import { fileComponentDates } from '../../status/component-dates';
import { componentsFromConfig } from '../../status/components';
import { parseConfig } from '../../config/load';
import { startHarness, type Harness } from '../helpers/api-harness';

const defs: ComponentDef[] = [
  { id: 'support-bot', name: 'Support bot', kind: 'service', providers: ['openai', 'anthropic'] },
  { id: 'openai', name: 'OpenAI', kind: 'provider', providers: ['openai'] },
];

function incident(phases: Phase[], edit: (s: IncidentState) => void = () => undefined): IncidentState {
  const s = newIncidentState({
    id: 'openai-0badc0de',
    scope: 'openai',
    provider: 'openai',
    title: 'HTTP 503 server_error/service_unavailable',
    now: '2026-11-20T10:00:00.000Z',
    severity: 'SEV2',
  });
  s.alerts.sample.push({
    provider: 'openai',
    kind: 'outage',
    summary: 'HTTP 503 server_error/service_unavailable',
    source: 'probe',
    observedAt: '2026-11-20T10:00:00.000Z',
  });
  phases.forEach((p, i) => {
    s.phase = p;
    addTimeline(s, 'phase', p, `2026-11-20T10:0${i}:00.000Z`);
  });
  edit(s);
  return s;
}

const PRIVATE = 'false alarm: grafana panel misconfigured';

test('a private note and the resolve note never reach the public; a public update does, word for word', () => {
  const s = incident(['detected', 'diagnosing', 'monitoring'], (x) => {
    x.notes.push({ by: 'dana', text: PRIVATE, at: '2026-11-20T10:03:00.000Z' });
    addTimeline(x, 'note', PRIVATE, '2026-11-20T10:03:00.000Z', 'dana');
    x.notes.push({
      by: 'dana',
      text: 'We expect a fix within the hour.',
      at: '2026-11-20T10:04:00.000Z',
      public: true,
    });
    addTimeline(x, 'public_update', 'We expect a fix within the hour.', '2026-11-20T10:04:00.000Z', 'dana');
    x.phase = 'resolved';
    x.status = 'resolved';
    x.resolution = PRIVATE;
    addTimeline(x, 'phase', `resolved: ${PRIVATE}`, '2026-11-20T10:05:00.000Z');
  });
  const p = toPublicIncident(s, defs);
  const text = JSON.stringify(p);
  expect(text).not.toContain('grafana');
  expect(p.updates.map((u) => u.body)).toContain('We expect a fix within the hour.');
  expect(p.updates[0]).toMatchObject({ status: 'resolved', body: 'This incident has been resolved.' });
});

test('public text says traffic moved only when it did; titles and names are human', () => {
  const skipped = incident(['detected', 'recovering', 'monitoring']);
  const bodies = publicUpdates(skipped, 'OpenAI')
    .map((u) => u.body)
    .join(' ');
  expect(bodies).not.toMatch(/moving traffic|moved away/i);
  const moved = incident(['detected', 'recovering', 'monitoring'], (x) =>
    x.routingChanges.push({
      chain: 'chat',
      from: { openai: 100 },
      to: { anthropic: 100 },
      mode: 'degraded',
      reason: 'r',
      version: 2,
      at: '2026-11-20T10:01:30.000Z',
    }),
  );
  expect(publicUpdates(moved, 'OpenAI')[0].body).toMatch(/moved away from OpenAI/);
  const p = toPublicIncident(moved, defs);
  expect(p.name).toBe('Elevated errors from OpenAI');
  expect(JSON.stringify(p)).not.toContain('503');
  expect(displayName('support-bot')).toBe('Support bot');
  expect(displayName('openai')).toBe('OpenAI');
  expect(displayName('openai', { openai: 'GPT' })).toBe('GPT');
});

test('a restoring phase reads as monitoring, not as a new outage', () => {
  const s = incident(['detected', 'monitoring', 'restoring' as Phase]);
  expect(toPublicIncident(s, defs).status).toBe('monitoring');
});

const yaml = (extra = '') => `
dataDir: ${mkdtempSync(join(tmpdir(), 'lifeline-status-'))}
providers: [{ id: openai, kind: openai, baseUrl: https://api.openai.com }]
chains: [{ id: chat, providers: [openai], weights: { openai: 100 } }]
services: [{ id: support-bot, chains: [chat], users: 10 }]
statusPage: { title: Acme AI status }
${extra}`;

test('one page name, component names, stable created_at, past incidents apart, no sign-up without SMTP', async () => {
  const config = parseConfig(yaml());
  const dates = fileComponentDates(config.dataDir);
  const a = incident(['detected', 'resolved'], (x) =>
    Object.assign(x, { id: 'openai-00000001', status: 'resolved', resolvedAt: '2026-11-20T10:01:00.000Z' }),
  );
  const b = incident(['detected', 'resolved'], (x) =>
    Object.assign(x, { id: 'openai-00000002', status: 'resolved', resolvedAt: '2026-11-20T10:01:00.000Z' }),
  );
  const first = await statusSnapshot(config, { incidents: async () => [a, b] }, new Date('2026-11-20T12:00:00Z'), {
    dates,
  });
  const later = await statusSnapshot(config, { incidents: async () => [a, b] }, new Date('2026-11-21T12:00:00Z'), {
    dates: fileComponentDates(config.dataDir),
  });
  const json = summaryJson(later);
  expect(json.page.name).toBe('Acme AI status');
  expect(json.components.map((c) => c.name)).toEqual(['Support bot', 'OpenAI']);
  expect(json.components[0].created_at).toBe('2026-11-20T12:00:00.000Z'); // first seen, not the request time
  expect(componentsFromConfig(config).map((c) => c.name)).toEqual(['Support bot', 'OpenAI']);
  const html = renderStatusPage(first);
  expect(html).toContain('<h1>Acme AI status</h1>');
  expect(html.match(/<article class="incident past/g)).toHaveLength(2);
  expect(html).not.toContain('id="subscribe"');
  expect(html).not.toMatch(/smtp/i);
  const withMail = await statusSnapshot(
    parseConfig(yaml('smtp: { host: 127.0.0.1, port: 2525, from: s@example.com }')),
    { incidents: async () => [] },
  );
  expect(renderStatusPage(withMail)).toMatch(/<form method="post" action="\/v1\/subscribers"/);
});

describe('the sign-up form without JavaScript', () => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness()));
  afterAll(async () => h.close());

  test('a browser form post gets a page, not a 415', async () => {
    const res = await h.send({
      method: 'POST',
      path: '/v1/subscribers',
      body: 'email=reader%40example.com',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(202);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('Check your inbox');
    const bad = await h.send({
      method: 'POST',
      path: '/v1/subscribers',
      body: 'email=nope',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('does not look like an email address');
    // Other routes still refuse form bodies.
    const other = await h.send({
      method: 'POST',
      path: '/v1/alerts',
      body: 'provider=openai',
      contentType: 'application/x-www-form-urlencoded',
      token: 'h-admin-71b5',
    });
    expect(other.status).toBe(415);
  });

  test('GET / points somewhere useful: browsers to the status page, API clients to a map', async () => {
    const browser = await h.send({ method: 'GET', path: '/', headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(browser.status).toBe(302);
    expect(browser.headers.location).toBe('/status');
    const client = await h.send({ method: 'GET', path: '/' });
    expect(client.json().links).toMatchObject({
      status: '/status',
      openapi: '/openapi.json',
      incidents: '/v1/incidents',
    });
  });
});
