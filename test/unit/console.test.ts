// The incident console's server side: escaping of untrusted text (titles and alert summaries come from
// alerts), the read-only view, the filters, and the shell's headers (strict CSP, no inline script).
import { renderDetail, renderList, renderShell, viewerOf } from '../../api/console/view';
import { CONSOLE_CSP, listFilterOf } from '../../api/console/routes';
import { newIncidentState, recordAlerts, addTimeline } from '../../domain/incident';
import { HARNESS_TOKENS, startHarness, type Harness } from '../helpers/api-harness';

const XSS = '<img src=x onerror="alert(1)">&\'';
const operator = viewerOf({ name: 'oncall', scopes: ['read', 'operate'] });
const reader = viewerOf({ name: 'dashboard', scopes: ['read'] });

function incident() {
  const s = newIncidentState({
    id: 'openai-0a1b2c3d',
    scope: 'openai',
    provider: 'openai',
    title: `OpenAI down ${XSS}`,
    now: '2026-11-30T10:00:00.000Z',
  });
  recordAlerts(s, [
    {
      provider: 'openai',
      kind: 'outage',
      summary: `summary ${XSS}`,
      source: `src ${XSS}`,
      observedAt: '2026-11-30T09:59:58.000Z',
    },
  ]);
  addTimeline(s, 'note', `note ${XSS}`, '2026-11-30T10:01:00.000Z', `by ${XSS}`);
  s.diagnosis = {
    rootCause: 'provider_outage',
    checks: [{ name: 'reachability', status: 'failed', detail: `detail ${XSS}` }],
    recommendations: [`rec ${XSS}`],
    at: '2026-11-30T10:02:00.000Z',
  };
  return s;
}

const raw = (html: string) => html.includes('<img src=x') || html.includes('onerror="');

describe('rendering', () => {
  test('every untrusted text in the detail is escaped', () => {
    const html = renderDetail({ viewer: operator, incident: incident() });
    expect(raw(html)).toBe(false);
    expect(html).toContain('OpenAI down &lt;img src&#x3D;x onerror&#x3D;&quot;alert(1)&quot;&gt;&amp;&#x27;');
    for (const part of ['summary', 'src', 'note', 'by', 'detail', 'rec']) expect(html).toContain(`${part} &lt;img`);
    expect(html).not.toMatch(/<script|\son\w+=/i);
  });

  test('the list escapes titles and links each incident to its page', () => {
    const html = renderList({
      viewer: reader,
      filter: { status: 'open', provider: 'openai' },
      providers: ['openai', 'anthropic'],
      incidents: [
        {
          id: 'openai-0a1b2c3d',
          provider: 'openai',
          title: XSS,
          severity: 'SEV1',
          phase: 'monitoring',
          status: 'open',
          startedAt: '2026-11-30T10:00:00.000Z',
          resolvedAt: null,
        },
      ],
    });
    expect(raw(html)).toBe(false);
    expect(html).toContain('href="/console/incidents/openai-0a1b2c3d"');
    expect(html).toMatch(/<option value="open" selected>open<\/option>/);
    expect(html).toMatch(/<option value="openai" selected>openai<\/option>/);
    expect(html).toMatch(/<option value="" selected>any severity<\/option>/);
    expect(html).toContain('1 incident<');
  });

  test('an operate token gets the buttons; a read token a refusal and no buttons', () => {
    const s = incident();
    const op = renderDetail({ viewer: operator, incident: s });
    expect(op.match(/data-action="(\w+)"/g)).toEqual([
      'data-action="acknowledge"',
      'data-action="escalate"',
      'data-action="resolve"',
    ]);
    expect(op).toContain('id="note-form"');
    const ro = renderDetail({ viewer: reader, incident: s });
    expect(ro).not.toContain('data-action=');
    expect(ro).not.toContain('note-form');
    expect(ro).toContain('need the <code>operate</code> scope');
    s.acknowledgements.push({ by: 'oncall', at: '2026-11-30T10:03:00.000Z' });
    expect(renderDetail({ viewer: operator, incident: s })).not.toContain('data-action="acknowledge"');
    s.status = 'resolved';
    expect(renderDetail({ viewer: operator, incident: s })).not.toContain('data-action=');
  });

  test('the shell carries no data and no inline script', () => {
    const html = renderShell({ title: XSS, fragment: '/console/view/incidents?status=open' });
    expect(raw(html)).toBe(false);
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/console/console.js" defer>']);
    expect(html).not.toMatch(/\sstyle=|\son\w+=/i);
  });

  test('filters the API would refuse are dropped; the default is open incidents', () => {
    expect(listFilterOf({}, ['openai'])).toEqual({ status: 'open', provider: undefined, severity: undefined });
    expect(listFilterOf({ status: 'all', provider: 'nope', severity: 'SEV9' }, ['openai'])).toEqual({
      status: 'all',
      provider: undefined,
      severity: undefined,
    });
    expect(listFilterOf({ status: ['open'], provider: 'openai', severity: 'SEV2' }, ['openai'])).toEqual({
      status: 'open',
      provider: 'openai',
      severity: 'SEV2',
    });
  });
});

describe('routes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  test('pages and assets are served with the strict CSP; fragments need a read token', async () => {
    const page = await h.send({ method: 'GET', path: '/console?status=resolved&provider=<x>' });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe');
    expect(page.text).toContain('data-fragment="/console/view/incidents?status&#x3D;resolved"');
    const js = await h.send({ method: 'GET', path: '/console/console.js' });
    expect([js.status, js.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await h.send({ method: 'GET', path: '/console/view/incidents' })).status).toBe(401);
    expect(
      (await h.send({ method: 'GET', path: '/console/view/incidents', token: HARNESS_TOKENS.ingest })).status,
    ).toBe(403);
    const list = await h.send({
      method: 'GET',
      path: '/console/view/incidents?status=all',
      token: HARNESS_TOKENS.read,
    });
    expect(list.status).toBe(200);
    expect(list.text).toContain('0 incidents');
    const missing = await h.send({
      method: 'GET',
      path: `/console/view/incidents/${encodeURIComponent('x<b>-0a1b2c3d')}`,
      token: HARNESS_TOKENS.read,
    });
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('No such incident');
    expect(missing.text).toContain('incident x&lt;b&gt;-0a1b2c3d not found');
  });

  test('the live panel polls cheaply: /v1/providers and /v1/routes answer If-None-Match with 304', async () => {
    const first = await h.send({ method: 'GET', path: '/v1/providers', token: HARNESS_TOKENS.read });
    expect(first.status).toBe(200);
    expect(first.json().providers.map((p: { id: string; monitor: string }) => `${p.id}:${p.monitor}`)).toEqual([
      'openai:not running',
      'anthropic:not running',
    ]);
    const tag = first.headers.etag as string;
    expect(tag).toMatch(/^"[\w-]{22}"$/);
    const again = await h.send({
      method: 'GET',
      path: '/v1/providers',
      token: HARNESS_TOKENS.read,
      headers: { 'if-none-match': tag },
    });
    expect([again.status, again.text]).toEqual([304, '']);
    expect(
      (
        await h.send({
          method: 'GET',
          path: '/v1/providers',
          token: HARNESS_TOKENS.read,
          headers: { 'if-none-match': '"other"' },
        })
      ).status,
    ).toBe(200);
  });
});
