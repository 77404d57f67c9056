// What apps read about a chain's route (GET /v1/routes, the route event stream): the routing entity's
// state plus which of the chain's providers have an open breaker right now, so a client can skip them
// before the weights catch up. Pure: the API reads the state, this shapes it and tells changes apart.
import type { BreakerPhase } from './breaker';
import { isNewerRoute } from './route-order';

/** The routing entity's route state (workflows/messages.ts RouteState), as far as apps see it. */
export interface RouteInput {
  id: string;
  /** Chain order, primary first. */
  providers: string[];
  weights: Record<string, number>;
  /** normal | degraded | emergency (RouteMode). */
  mode: string;
  version: number;
  updatedAt: string;
  hints?: Record<string, string[]>;
}

export interface RouteView extends Omit<RouteInput, 'hints'> {
  /** Recovery steps published per provider (use_backup_key, throttle, …). */
  hints: Record<string, string[]>;
  /** Providers of the chain whose breaker lifeline holds open now (no traffic, not even trials). */
  down: string[];
}

/** `phases` maps a provider to its breaker phase (absent: no monitor or no breaker yet, i.e. not down). */
export function routeView(route: RouteInput, phases: Record<string, BreakerPhase | undefined>): RouteView {
  return {
    id: route.id,
    providers: [...route.providers],
    weights: route.weights,
    mode: route.mode,
    version: route.version,
    updatedAt: route.updatedAt,
    hints: route.hints ?? {},
    down: route.providers.filter((p) => phases[p] === 'open'),
  };
}

/**
 * Version (carried across continue-as-new) plus change time, so a re-created route never reuses a tag,
 * plus the open breakers (they change without a new version). With no breaker open the tag is the one
 * earlier releases gave, so a client's cached tag stays valid across an upgrade.
 */
export function routeTag(v: Pick<RouteView, 'id' | 'version' | 'updatedAt' | 'down'>): string {
  const base = `${v.id}.${v.version}.${Date.parse(v.updatedAt).toString(36)}`;
  return v.down.length ? `${base}~${v.down.join('+')}` : base;
}

/** The ETag of one or more routes (GET /v1/routes, GET /v1/routes/:chain). */
export const routesEtag = (views: Pick<RouteView, 'id' | 'version' | 'updatedAt' | 'down'>[]) =>
  `"${views.map(routeTag).join('-')}"`;

/**
 * Whether `next` is news to a client that holds `prev`: any change of version, weights, mode, hints or
 * down. An older version than the one held (domain/route-order.ts) is a read overtaken by a newer one,
 * never news.
 */
export function isRouteChange(prev: RouteView | undefined, next: RouteView): boolean {
  if (!prev) return true;
  if (next.version !== prev.version && !isNewerRoute(next, prev)) return false;
  return JSON.stringify(prev) !== JSON.stringify(next);
}
