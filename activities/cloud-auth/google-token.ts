// OAuth2 access tokens for Vertex AI from a service-account key, by the JWT-bearer grant (RFC 7523): an
// RS256-signed assertion { iss: client_email, scope, aud: token URL, iat, exp } POSTed to the token
// endpoint. google-auth-library's JWT client does this too, but its token URL is a constant (gtoken's
// GOOGLE_TOKEN_URL, used both as `aud` and as the POST target), so it could neither honour auth.tokenUrl
// nor be tested against a local endpoint: the assertion is signed with jsonwebtoken (auth0's, already in
// the tree through Bolt) and POSTed with undici.
//
// Tokens are cached per provider until shortly before they expire (probes run every second: never one
// mint per probe); concurrent callers share one mint; a failed mint is held for a few seconds so a bad
// key does not hammer the token endpoint. Neither the token nor the key leaves this module except as the
// Authorization header built by the caller.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jwt from 'jsonwebtoken';
import { request } from 'undici';
import { readSecret } from '../../config/load';
import type { CloudAuth } from '../../config/schema';
import { CredentialError } from './errors';

export type GoogleAuth = Extract<CloudAuth, { type: 'google-service-account' }>;

interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
}

interface Token {
  value: string;
  expiresAt: number;
  refreshAt: number;
}

interface Entry {
  fingerprint: string;
  token?: Token;
  inflight?: Promise<Token>;
  failed?: { error: CredentialError; until: number };
}

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ASSERTION_LIFETIME_S = 3600; // Google's maximum
const MAX_DETAIL = 200;

export interface GoogleTokenCacheOptions {
  now?: () => number;
  /** Mint a new token this long before the current one expires (default 5 min, at most half its life). */
  refreshBeforeMs?: number;
  /** After a failed mint, fail fast for this long instead of asking again (default 10 s). */
  failureHoldMs?: number;
}

export class GoogleTokenCache {
  private readonly entries = new Map<string, Entry>();
  /** Tokens minted so far (for tests and figures). */
  mints = 0;

  constructor(private readonly opts: GoogleTokenCacheOptions = {}) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** A valid access token for this provider: cached, or minted now. Throws CredentialError. */
  async token(
    providerId: string,
    auth: GoogleAuth,
    env: NodeJS.ProcessEnv | undefined,
    timeoutMs: number,
  ): Promise<string> {
    const key = loadKey(auth, env);
    // A rotated key or changed scopes/endpoint is a different credential: never serve the old token for it.
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([auth.tokenUrl, auth.scopes, key.client_email, key.private_key_id, key.private_key]))
      .digest('hex');
    let e = this.entries.get(providerId);
    if (!e || e.fingerprint !== fingerprint) {
      e = { fingerprint };
      this.entries.set(providerId, e);
    }
    const now = this.now();
    if (e.token && now < e.token.refreshAt) return e.token.value;
    const held = e.failed !== undefined && now < e.failed.until;
    // The current token stays good while its successor is minted (or while a failed refresh is held).
    if (e.token && now < e.token.expiresAt) {
      if (!held) void this.startMint(e, key, auth, timeoutMs); // background refresh; failures are held in the entry
      return e.token.value;
    }
    if (held && !e.inflight) throw e.failed!.error;
    return (await this.startMint(e, key, auth, timeoutMs)).value;
  }

  /** One mint per entry at a time: concurrent callers share it. */
  private startMint(entry: Entry, key: ServiceAccountKey, auth: GoogleAuth, timeoutMs: number): Promise<Token> {
    if (entry.inflight) return entry.inflight;
    const minting = this.mint(key, auth, timeoutMs).then(
      (t) => {
        entry.token = t;
        entry.failed = undefined;
        entry.inflight = undefined;
        return t;
      },
      (err: unknown) => {
        const error =
          err instanceof CredentialError
            ? err
            : new CredentialError('oauth_token', `could not mint an access token: ${(err as Error).message}`);
        entry.failed = { error, until: this.now() + (this.opts.failureHoldMs ?? 10_000) };
        entry.inflight = undefined;
        throw error;
      },
    );
    minting.catch(() => undefined); // a background refresh nobody awaits must not be an unhandled rejection
    entry.inflight = minting;
    return minting;
  }

  private async mint(key: ServiceAccountKey, auth: GoogleAuth, timeoutMs: number): Promise<Token> {
    this.mints++;
    const issuedAt = this.now();
    const iat = Math.floor(issuedAt / 1000);
    let assertion: string;
    try {
      assertion = jwt.sign(
        {
          iss: key.client_email,
          scope: auth.scopes.join(' '),
          aud: auth.tokenUrl,
          iat,
          exp: iat + ASSERTION_LIFETIME_S,
        },
        key.private_key,
        {
          algorithm: 'RS256',
          ...(key.private_key_id ? { keyid: key.private_key_id } : {}),
        },
      );
    } catch (err) {
      // jsonwebtoken's messages describe the key's type or size, never its content.
      throw new CredentialError(
        'invalid_key',
        `service-account private_key cannot sign RS256: ${(err as Error).message}`,
      );
    }
    let status: number;
    let text: string;
    try {
      const res = await request(auth.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: GRANT_TYPE, assertion }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      status = res.statusCode;
      text = (await res.body.text()).slice(0, 64 * 1024);
    } catch (err) {
      const e = err as { code?: unknown; name?: string; cause?: { code?: unknown } };
      const code = [e.cause?.code, e.code, e.name].find((v) => typeof v === 'string') ?? 'error';
      throw new CredentialError(
        'oauth_token_unreachable',
        `token endpoint ${auth.tokenUrl} unreachable: ${String(code)}`,
      );
    }
    const body = parseJson(text);
    if (status >= 400 || typeof body.access_token !== 'string') {
      const error = typeof body.error === 'string' ? body.error : `http_${status}`;
      const detail =
        typeof body.error_description === 'string' ? `: ${body.error_description.slice(0, MAX_DETAIL)}` : '';
      throw new CredentialError(
        `oauth_token/${error}`,
        `token endpoint refused the service-account assertion (HTTP ${status} ${error}${detail})`,
      );
    }
    const lifetimeMs =
      (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : ASSERTION_LIFETIME_S) * 1000;
    const early = Math.min(this.opts.refreshBeforeMs ?? 5 * 60_000, lifetimeMs / 2);
    return { value: body.access_token, expiresAt: issuedAt + lifetimeMs, refreshAt: issuedAt + lifetimeMs - early };
  }
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The service-account key, from the variable holding its JSON or the one naming its file. */
function loadKey(auth: GoogleAuth, env: NodeJS.ProcessEnv | undefined): ServiceAccountKey {
  let json: string;
  let where: string;
  if (auth.credentialsEnv) {
    const v = readSecret(auth.credentialsEnv, env);
    if (!v) throw new CredentialError('credentials_missing', `${auth.credentialsEnv} is not set`);
    json = v;
    where = auth.credentialsEnv;
  } else {
    const path = readSecret(auth.credentialsFileEnv, env);
    if (!path)
      throw new CredentialError('credentials_missing', `${auth.credentialsFileEnv ?? 'credentialsFileEnv'} is not set`);
    try {
      json = readFileSync(path, 'utf8');
    } catch (err) {
      throw new CredentialError(
        'credentials_missing',
        `cannot read the service-account key file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    where = path;
  }
  const key = parseJson(json);
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw new CredentialError(
      'credentials_invalid',
      `${where} is not a service-account key (JSON with client_email and private_key)`,
    );
  }
  return {
    client_email: key.client_email,
    private_key: key.private_key,
    ...(typeof key.private_key_id === 'string' ? { private_key_id: key.private_key_id } : {}),
  };
}

/** The process-wide cache the activities use. */
export const googleTokens = new GoogleTokenCache();
