// What the operator API's route files are given (api/server.ts builds it once), and the route options that
// make a route require a token scope: each file takes the guards it uses instead of building its own.
import type { Client } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';
import { requireScope, type TokenTable } from './auth';

export interface ApiDeps {
  client: Client;
  config: LifelineConfig;
  tokens: TokenTable;
}

/** Route options requiring the `read`, `operate` or `admin` scope (an admin token passes every one). */
export function scopeGuards(tokens: TokenTable) {
  return {
    read: { onRequest: requireScope(tokens, 'read') },
    operate: { onRequest: requireScope(tokens, 'operate') },
    admin: { onRequest: requireScope(tokens, 'admin') },
  };
}
