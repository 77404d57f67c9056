export { createRouteClient } from './client';
export type { RouteClient, RouteClientOptions, AttemptContext, Picked } from './client';
export { RouteEmergencyError, AllAttemptsFailedError } from './errors';
export type { AttemptRecord } from './errors';
export type { Route, RouteMode, Outcome, ErrorType } from './types';
export { weightedPick, planAttempts, chainOf } from './pick';
