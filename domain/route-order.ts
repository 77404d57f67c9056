// Which of two versions of a chain's route is newer, for publishers where the latest route wins.

/** The part of a route that orders its versions. */
export interface RouteVersion {
  version: number;
  updatedAt: string;
}

/**
 * True when `candidate` should replace `current`. Versions rise with every change of a chain's route; a
 * route with a *lower* version but a later change time comes from a re-created routing entity (versions
 * restarted), and wins too. A late copy of an older change (lower version, earlier time) never does.
 */
export function isNewerRoute(candidate: RouteVersion, current: RouteVersion | undefined): boolean {
  if (!current) return true;
  if (candidate.version > current.version) return true;
  if (candidate.version === current.version) return false;
  return Date.parse(candidate.updatedAt) > Date.parse(current.updatedAt);
}
