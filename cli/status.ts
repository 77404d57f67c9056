// `lifeline status [--watch] [--refresh 5]`: providers (health, breaker), routes and open incidents in one
// screen. With --watch it refreshes: on a terminal the screen is redrawn in place; when stdout is not a
// terminal (a pipe, a log file, CI) each refresh is printed after the previous one, plain, with no escape
// codes, so the output stays readable as a log.
import { setTimeout as sleep } from 'node:timers/promises';
import { callApi, type ApiTarget } from './http';
import { phaseText, table, weightsText } from './output';

export interface ProviderView {
  id: string;
  monitor: string;
  healthy: boolean | null;
  since: string | null;
  breaker: { phase: string; since: string; openedCount: number } | null;
  incidentId: string | null;
}
interface RouteView {
  id: string;
  mode: string;
  version: number;
  weights: Record<string, number>;
  updatedAt: string;
}
interface IncidentView {
  id: string;
  severity?: string;
  phase?: string;
  startedAt: string;
  title: string;
}
export interface StatusView {
  providers: ProviderView[];
  routes: RouteView[];
  incidents: IncidentView[];
}

export async function fetchStatus(target: ApiTarget): Promise<StatusView> {
  const [p, r, i] = await Promise.all([
    callApi(target, 'GET', '/v1/providers'),
    callApi(target, 'GET', '/v1/routes'),
    callApi(target, 'GET', '/v1/incidents?status=open'),
  ]);
  return { providers: p.providers, routes: r.routes, incidents: i.incidents };
}

const at = (iso: string | null | undefined) => (iso ? iso.replace(/\.\d+Z$/, 'Z') : '');
const stamp = (now: Date) => at(now.toISOString()).replace('T', ' ').replace('Z', ' UTC');

/** One screen of status, plain text (the same on a terminal and in a log). */
export function renderStatus(v: StatusView, now: Date, refreshS?: number): string {
  const head = `lifeline status · ${stamp(now)}${refreshS ? ` · every ${refreshS} s (Ctrl-C to stop)` : ''}`;
  const providers = table(
    ['PROVIDER', 'HEALTH', 'BREAKER', 'SINCE', 'INCIDENT'],
    v.providers.map((p) => [
      p.id,
      p.monitor !== 'running' ? `unknown (monitor ${p.monitor})` : p.healthy ? 'healthy' : 'DOWN',
      p.breaker ? `${p.breaker.phase}${p.breaker.openedCount ? ` (opened ${p.breaker.openedCount}×)` : ''}` : '',
      at(p.breaker?.since ?? p.since),
      p.incidentId,
    ]),
  );
  const routes = table(
    ['CHAIN', 'MODE', 'VERSION', 'UPDATED', 'WEIGHTS'],
    v.routes.map((r) => [r.id, r.mode, `v${r.version}`, at(r.updatedAt), weightsText(r.weights)]),
  );
  const incidents = v.incidents.length
    ? table(
        ['ID', 'SEV', 'PHASE', 'STARTED', 'TITLE'],
        v.incidents.map((i) => [i.id, i.severity, i.phase ? phaseText(i.phase) : '', at(i.startedAt), i.title]),
      )
    : 'none';
  return [
    head,
    '',
    'Providers',
    providers,
    '',
    'Routes',
    routes,
    '',
    `Open incidents (${v.incidents.length})`,
    incidents,
  ].join('\n');
}

export interface WatchIo {
  write(text: string): void;
  isTTY: boolean;
  /** Ends the watch (Ctrl-C). */
  signal: AbortSignal;
  now?: () => Date;
}

/** Clear the screen and home the cursor: the terminal redraw. Never written when stdout is not a terminal. */
const REDRAW = '\x1b[H\x1b[2J';

/**
 * Refreshes every `refreshS` seconds until the signal aborts (or `count` screens were shown). A failed
 * fetch is shown in place of the screen and retried at the next refresh: a live view outlasts a blip.
 * Returns the last refresh's error, if it failed (so a script's `--count` run can exit non-zero).
 */
export async function watchStatus(
  target: ApiTarget,
  o: { refreshS: number; count?: number },
  io: WatchIo,
): Promise<Error | null> {
  const now = io.now ?? (() => new Date());
  let last: Error | null = null;
  for (let shown = 0; !io.signal.aborted && (o.count === undefined || shown < o.count); shown++) {
    let screen: string;
    try {
      screen = renderStatus(await fetchStatus(target), now(), o.refreshS);
      last = null;
    } catch (err) {
      last = err as Error;
      screen = `lifeline status · ${stamp(now())}\n\n${last.message} (retrying in ${o.refreshS} s)`;
    }
    io.write(io.isTTY ? `${REDRAW}${screen}\n` : `${shown ? '\n' : ''}${screen}\n`);
    if (o.count !== undefined && shown + 1 >= o.count) break;
    try {
      await sleep(o.refreshS * 1000, undefined, { signal: io.signal });
    } catch {
      break; // aborted: Ctrl-C
    }
  }
  return last;
}
