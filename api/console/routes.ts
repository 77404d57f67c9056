// /console: the incident console for the people running an incident. Pages are a data-free shell plus
// one small script (templates/console/console.js); the script sends the API token as a bearer header to
// fetch server-rendered fragments (/console/view/…) and to call the public API's actions.
//
// Why a bearer header from sessionStorage rather than a session cookie: the browser never attaches the
// token on its own, so no other site can make a request that carries it (no CSRF, with no CSRF-token
// machinery), the buttons call the very /v1 endpoints the CLI uses (same auth, scopes, Idempotency-Key),
// and the token leaves with the tab. The cost, a token a script could read, is why every page carries a
// strict CSP (script from 'self' only, nothing inline) and every text is escaped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LifelineConfig } from '../../config/schema';
import type { IncidentState } from '../../domain/incident';
import type { IncidentListItem } from '../../domain/incident-list';
import { BUNDLED_TEMPLATES_DIR } from '../../render/bundled';
import { requireScope, type TokenTable } from '../auth';
import { renderDetail, renderList, renderProblem, renderShell, viewerOf, type ListFilter } from './view';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function secure(reply: FastifyReply, type: string): FastifyReply {
  return reply
    .type(type)
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');
}

const STATUSES = ['open', 'resolved', 'all'] as const;
const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];

/** The list filter from a query string; values the API would refuse are dropped, not passed on. */
export function listFilterOf(q: Record<string, unknown>, providers: string[]): ListFilter {
  const pick = (v: unknown, allowed: readonly string[]) =>
    typeof v === 'string' && allowed.includes(v) ? v : undefined;
  return {
    status: (pick(q.status, STATUSES) as ListFilter['status'] | undefined) ?? 'open',
    provider: pick(q.provider, providers),
    severity: pick(q.severity, SEVERITIES),
  };
}

const filterQuery = (f: ListFilter) =>
  new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]).toString();

export function registerConsoleRoutes(
  app: FastifyInstance,
  deps: { config: LifelineConfig; tokens: TokenTable },
): void {
  const hidden = { schema: { hide: true } };
  const read = { ...hidden, onRequest: requireScope(deps.tokens, 'read') };
  const providers = deps.config.providers.map((p) => p.id);
  const asset = (name: string) => readFileSync(join(BUNDLED_TEMPLATES_DIR, 'console', name), 'utf8');
  const script = asset('console.js');
  const style = asset('console.css');

  /**
   * The public API answers for the console, with the caller's own token: the console shows exactly what
   * that token may read, through the same code (live run or archive) the CLI gets.
   */
  async function fromApi<T>(
    req: FastifyRequest,
    url: string,
  ): Promise<{ status: number; body: T & { error?: string } }> {
    const res = await app.inject({
      method: 'GET',
      url,
      headers: { authorization: req.headers.authorization ?? '', accept: 'application/json' },
    });
    return { status: res.statusCode, body: res.json() };
  }

  app.get('/console', hidden, async (req, reply) => {
    const q = filterQuery(listFilterOf(req.query as Record<string, unknown>, providers));
    return secure(reply, 'text/html; charset=utf-8').send(
      renderShell({ title: 'Incidents', fragment: `/console/view/incidents?${q}` }),
    );
  });
  app.get('/console/incidents/:id', hidden, async (req, reply) => {
    const { id } = req.params as { id: string };
    return secure(reply, 'text/html; charset=utf-8').send(
      renderShell({ title: `Incident ${id}`, fragment: `/console/view/incidents/${encodeURIComponent(id)}` }),
    );
  });
  app.get('/console/console.js', hidden, async (_req, reply) =>
    secure(reply, 'text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(script),
  );
  app.get('/console/console.css', hidden, async (_req, reply) =>
    secure(reply, 'text/css; charset=utf-8').header('cache-control', 'no-cache').send(style),
  );

  app.get('/console/view/incidents', read, async (req, reply) => {
    const viewer = viewerOf(req.principal!);
    const filter = listFilterOf(req.query as Record<string, unknown>, providers);
    const res = await fromApi<{ incidents: IncidentListItem[] }>(req, `/v1/incidents?${filterQuery(filter)}`);
    const ok = res.status === 200;
    const html = renderList({
      viewer,
      filter,
      providers,
      incidents: ok ? res.body.incidents : [],
      error: ok ? undefined : `The incident list is unavailable: ${res.body.error ?? res.status}`,
    });
    return secure(reply.code(ok ? 200 : 502), 'text/html; charset=utf-8').send(html);
  });
  app.get('/console/view/incidents/:id', read, async (req, reply) => {
    const viewer = viewerOf(req.principal!);
    const { id } = req.params as { id: string };
    const res = await fromApi<IncidentState>(req, `/v1/incidents/${encodeURIComponent(id)}`);
    if (res.status !== 200) {
      const html = renderProblem(
        viewer,
        res.status === 404 ? 'No such incident' : 'Incident unavailable',
        res.body.error ?? `HTTP ${res.status}`,
      );
      return secure(reply.code(res.status === 404 ? 404 : 502), 'text/html; charset=utf-8').send(html);
    }
    return secure(reply, 'text/html; charset=utf-8').send(renderDetail({ viewer, incident: res.body }));
  });
}
