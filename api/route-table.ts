// Every route the app serves, with the access rule it declares. Guards (api/auth.ts, api/ingest-auth.ts)
// carry the scope they enforce; this table reads it off each route's hooks, so a test can check the
// whole API (test/unit/route-access.test.ts) and a route added without a guard shows up at once.
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Scope } from '../config/schema';

const SCOPE = Symbol.for('lifeline.scope');

type Guard = ((...args: never[]) => unknown) & { [SCOPE]?: Scope };

/** Marks a hook as the guard that enforces `scope` (the route table reads it back). */
export function guarding<T extends (...args: never[]) => unknown>(scope: Scope, hook: T): T {
  (hook as Guard)[SCOPE] = scope;
  return hook;
}

export interface ServedRoute {
  method: string;
  url: string;
  /** The scope its guard enforces, or null when no hook of the route is a guard. */
  scope: Scope | null;
  /** Whether the route validates a request body. */
  hasBody: boolean;
}

const hooksOf = (r: RouteOptions) =>
  [r.onRequest, r.preParsing, r.preValidation, r.preHandler].flatMap((h) =>
    h ? (Array.isArray(h) ? h : [h]) : [],
  ) as Guard[];

/** The scope the route's guard enforces, or null when none of its hooks is a guard. */
export function scopeOfRoute(r: RouteOptions): Scope | null {
  return (
    hooksOf(r)
      .map((h) => h[SCOPE])
      .find((s) => s) ?? null
  );
}

const tables = new WeakMap<FastifyInstance, ServedRoute[]>();

/** Records every route registered on `app` from now on (call before registering any). */
export function recordRoutes(app: FastifyInstance): void {
  const table: ServedRoute[] = [];
  tables.set(app, table);
  app.addHook('onRoute', (r) => {
    const scope = scopeOfRoute(r);
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) {
      table.push({ method, url: r.url, scope, hasBody: !!(r.schema as { body?: unknown } | undefined)?.body });
    }
  });
}

export function servedRoutes(app: FastifyInstance): ServedRoute[] {
  const t = tables.get(app);
  if (!t) throw new Error('routes were not recorded on this app (recordRoutes)');
  return [...t];
}
