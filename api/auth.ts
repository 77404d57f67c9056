// Bearer tokens with scopes. Token values come from the environment by name; comparison is constant-time
// (over SHA-256 digests, so length differences leak nothing either).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LifelineConfig, Scope } from '../config/schema';
import { readSecret } from '../config/load';
import { guarding } from './route-table';

export interface Principal {
  name: string;
  scopes: Scope[];
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export interface TokenTable {
  authenticate(header: string | undefined): Principal | null;
  /** Token names whose environment variable is unset (they cannot be used). */
  missing: string[];
}

export function buildTokenTable(config: LifelineConfig, env: NodeJS.ProcessEnv = process.env): TokenTable {
  const entries: { principal: Principal; digest: Buffer }[] = [];
  const missing: string[] = [];
  for (const t of config.auth.tokens) {
    const value = readSecret(t.tokenEnv, env);
    if (!value) {
      missing.push(`${t.name} (${t.tokenEnv})`);
      continue;
    }
    entries.push({ principal: { name: t.name, scopes: t.scopes }, digest: digest(value) });
  }
  return {
    missing,
    authenticate(header) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
      if (!m) return null;
      const d = digest(m[1]);
      let found: Principal | null = null;
      // Compare against every entry, always, so timing does not reveal which one matched.
      for (const e of entries) if (timingSafeEqual(d, e.digest) && !found) found = e.principal;
      return found;
    },
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function requireScope(tokens: TokenTable, scope: Scope) {
  return guarding(scope, async (req: FastifyRequest, reply: FastifyReply) => {
    const principal = tokens.authenticate(req.headers.authorization);
    if (!principal)
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or invalid bearer token' });
    if (!principal.scopes.includes(scope) && !principal.scopes.includes('admin')) {
      return reply.code(403).send({ error: `token "${principal.name}" lacks the "${scope}" scope` });
    }
    req.principal = principal;
  });
}
