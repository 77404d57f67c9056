// Scopes on every route, table-driven over the route list the app itself reports (api/route-table.ts):
// a route that is neither guarded nor on the public allow-list fails here, and so does one whose guard
// enforces another scope than this table says. Each guarded route is then called without a token, with a
// wrong token, with a token lacking the scope (401, 401, 403) and with the right one (passes the guard).
import type { Scope } from '../../config/schema';
import { servedRoutes, type ServedRoute } from '../../api/route-table';
import { HARNESS_TOKENS, startHarness, type Harness } from '../helpers/api-harness';

/** Every route and who may call it. `public` routes need no bearer token (Slack's is signed instead). */
const ACCESS: Record<string, Scope | 'public' | 'slack-signature'> = {
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  'GET /metrics': 'public',
  'GET /openapi.json': 'public',
  'GET /docs': 'public',
  'GET /status': 'public',
  'GET /api/v2/summary.json': 'public',
  'GET /api/v2/status.json': 'public',
  'GET /api/v2/components.json': 'public',
  'GET /api/v2/incidents.json': 'public',
  'GET /api/v2/incidents/unresolved.json': 'public',
  'GET /api/v2/scheduled-maintenances.json': 'public',
  'GET /': 'public',
  'GET /console': 'public',
  'GET /console/incidents/:id': 'public',
  'GET /console/console.js': 'public',
  'GET /console/console.css': 'public',
  'GET /console/view/incidents': 'read',
  'GET /console/view/incidents/:id': 'read',
  'POST /v1/subscribers': 'public',
  'GET /v1/subscribers/confirm': 'public',
  'GET /v1/subscribers/unsubscribe': 'public',
  'POST /slack/events': 'slack-signature',
  'GET /v1/subscribers': 'admin',
  'POST /v1/alerts': 'ingest',
  'POST /v1/outcomes': 'ingest',
  'POST /v1/alerts/alertmanager': 'ingest',
  'POST /v2/enqueue': 'ingest',
  'GET /v1/incidents': 'read',
  'GET /v1/incidents/:id': 'read',
  'GET /v1/incidents/:id/report': 'read',
  'GET /v1/incidents/:id/timeline.svg': 'read',
  'GET /v1/providers': 'read',
  'GET /v1/slos': 'read',
  'POST /v1/incidents': 'operate',
  'POST /v1/incidents/:id/acknowledge': 'operate',
  'POST /v1/incidents/:id/escalate': 'operate',
  'POST /v1/incidents/:id/resolve': 'operate',
  'POST /v1/incidents/:id/notes': 'operate',
  'POST /v1/incidents/:id/updates': 'operate',
  'GET /v1/routes': 'read',
  'GET /v1/routes/:chain': 'read',
  'GET /v1/routes/:chain/shift': 'read',
  'GET /v1/routes/:chain/events': 'read',
  'POST /v1/routes/:chain/failover': 'operate',
  'POST /v1/routes/:chain/weights': 'operate',
  'POST /v1/rollouts': 'operate',
  'GET /v1/rollouts': 'read',
  'GET /v1/rollouts/:id': 'read',
  'POST /v1/rollouts/:id/abort': 'operate',
  'POST /v1/routes/:chain/failback': 'operate',
  'GET /v1/drills': 'read',
  'GET /v1/drills/schedules': 'read',
  'GET /v1/drills/runs/:id': 'read',
  'POST /v1/drills/runs': 'operate',
  'POST /v1/drills/runs/:id/stop': 'operate',
};

/** A token that lacks `scope` (admin holds every scope). */
const WITHOUT: Record<Scope, string> = {
  read: HARNESS_TOKENS.ingest,
  ingest: HARNESS_TOKENS.read,
  operate: HARNESS_TOKENS.read,
  admin: HARNESS_TOKENS.operate,
};
const WITH: Record<Scope, string> = {
  read: HARNESS_TOKENS.read,
  ingest: HARNESS_TOKENS.ingest,
  operate: HARNESS_TOKENS.operate,
  admin: HARNESS_TOKENS.admin,
};

const key = (r: ServedRoute) => `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url}`;
const pastGuard = (status: number) => (status === 401 || status === 403 ? status : 'past the guard');
const concrete = (url: string) => url.replace(':id', 'openai-0a1b2c3d').replace(':chain', 'chat');

let h: Harness;
let routes: ServedRoute[];
beforeAll(async () => {
  h = await startHarness();
  routes = servedRoutes(h.app);
});
afterAll(async () => h.close());

test('every route the app serves is in the access table, and its guard enforces the scope the table names', () => {
  expect(routes.length).toBeGreaterThan(20);
  const unlisted = routes.filter((r) => !(key(r) in ACCESS)).map(key);
  expect(unlisted).toEqual([]);
  const mismatched = routes
    .map((r) => ({ route: key(r), declared: ACCESS[key(r)], enforced: r.scope }))
    .filter(({ declared, enforced }) =>
      declared === 'public' || declared === 'slack-signature' ? enforced !== null : enforced !== declared,
    );
  expect(mismatched).toEqual([]);
});

describe('guarded routes', () => {
  const guarded = () => routes.filter((r) => r.scope !== null);
  const call = (r: ServedRoute, token?: string) =>
    h.send({
      method: r.method,
      path: concrete(r.url),
      token,
      ...(r.method === 'POST' ? { body: '{}', contentType: 'application/json' } : {}),
    });

  test('401 without a token or with a wrong one, 403 without the scope, through the guard with it', async () => {
    const seen: string[] = [];
    for (const r of guarded()) {
      const scope = r.scope!;
      const before = h.created.length;
      const none = await call(r);
      expect([key(r), none.status, none.headers['www-authenticate']]).toEqual([key(r), 401, 'Bearer']);
      expect([key(r), (await call(r, 'not-a-token')).status]).toEqual([key(r), 401]);
      expect([key(r), (await call(r, `${WITH[scope]}x`)).status]).toEqual([key(r), 401]);
      const lacking = await call(r, WITHOUT[scope]);
      expect([key(r), lacking.status]).toEqual([key(r), 403]);
      if (r.method !== 'HEAD') expect(lacking.json().error).toContain(`"${scope}" scope`);
      expect([key(r), h.created.length]).toEqual([key(r), before]); // a rejected request starts nothing
      for (const token of [WITH[scope], HARNESS_TOKENS.admin]) {
        const ok = await call(r, token);
        expect([key(r), pastGuard(ok.status)]).toEqual([key(r), 'past the guard']);
        expect(ok.status).toBeLessThan(500);
      }
      seen.push(key(r));
    }
    console.log(`[figures] route access: ${seen.length} guarded routes (incl. HEAD) checked with 6 credentials each`);
  });
});

test('public routes answer without a token; Slack answers only signed requests', async () => {
  for (const r of routes.filter((x) => x.scope === null)) {
    const path = concrete(r.url) + (r.url.startsWith('/v1/subscribers/') ? '?token=0123456789abcdef' : '');
    const res = await h.send({
      method: r.method,
      path,
      ...(r.method === 'POST' ? { body: '{}', contentType: 'application/json' } : {}),
    });
    if (ACCESS[key(r)] === 'slack-signature') expect([key(r), res.status]).toEqual([key(r), 401]);
    else expect([key(r), pastGuard(res.status)]).toEqual([key(r), 'past the guard']);
  }
});
