// One Temporal client per process, and the connection settings every client and worker connection of
// lifeline shares: TLS (CA, client certificate, server name), the Temporal Cloud API key and the payload
// codec, all read from config + environment once so a problem is reported by field before anything runs.
import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { LifelineConfig } from '../config/schema';
import { AesGcmPayloadCodec, parseCodecKey } from './codec';
import { temporalClientInterceptors } from './query-deadline';

type TemporalConfig = LifelineConfig['temporal'];

/** What a client or worker connection needs beyond the address. */
export interface SecuredConnection {
  tls?: TLSConfig | boolean;
  apiKey?: string;
  dataConverter?: DataConverter;
}

/** Every problem with the connection settings, as `temporal.…: message`; secret values are never quoted. */
export class TemporalSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`temporal connection settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'TemporalSettingsError';
  }
}

/**
 * Reads the TLS files and environment variables, the API key and the codec keys. Returns the problems
 * instead of throwing when asked (config check lists them all); `securedConnection` throws them.
 */
export function readSecuredConnection(
  temporal: TemporalConfig,
  env: NodeJS.ProcessEnv = process.env,
): { settings: SecuredConnection; problems: string[] } {
  const problems: string[] = [];
  const settings: SecuredConnection = {};
  const pem = (field: 'ca' | 'cert' | 'key'): Buffer | undefined => {
    const file = temporal.tls?.[`${field}File`];
    const envName = temporal.tls?.[`${field}Env`];
    if (file) {
      try {
        const b = readFileSync(file);
        if (!b.toString('utf8').includes('-----BEGIN '))
          problems.push(`temporal.tls.${field}File: ${file} is not a PEM file`);
        return b;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        problems.push(
          `temporal.tls.${field}File: cannot read ${file} (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message})`,
        );
        return undefined;
      }
    }
    if (envName) {
      const v = env[envName];
      if (!v) problems.push(`temporal.tls.${field}Env: ${envName} is not set`);
      else if (!v.includes('-----BEGIN '))
        problems.push(`temporal.tls.${field}Env: ${envName} does not hold a PEM block`);
      return v ? Buffer.from(v, 'utf8') : undefined;
    }
    return undefined;
  };
  if (temporal.tls) {
    const ca = pem('ca');
    const crt = pem('cert');
    const key = pem('key');
    settings.tls = {
      ...(temporal.tls.serverName ? { serverNameOverride: temporal.tls.serverName } : {}),
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
    };
  }
  if (temporal.apiKeyEnv) {
    const apiKey = env[temporal.apiKeyEnv];
    if (!apiKey) problems.push(`temporal.apiKeyEnv: ${temporal.apiKeyEnv} is not set`);
    else settings.apiKey = apiKey;
    // An API key travels as a bearer token: never over plaintext.
    settings.tls ??= true;
  }
  if (temporal.codec) {
    const c = temporal.codec;
    const keys = [
      { keyId: c.keyId, keyEnv: c.keyEnv, path: 'temporal.codec.keyEnv' },
      ...c.previousKeys.map((k, i) => ({ ...k, path: `temporal.codec.previousKeys.${i}.keyEnv` })),
    ];
    const parsed = keys.flatMap((k) => {
      try {
        return [parseCodecKey(k.keyId, env[k.keyEnv], k.keyEnv)];
      } catch (err) {
        problems.push(`${k.path}: ${(err as Error).message}`);
        return [];
      }
    });
    if (parsed.length === keys.length)
      settings.dataConverter = { payloadCodecs: [new AesGcmPayloadCodec(parsed[0], parsed.slice(1))] };
  }
  if (temporal.address === 'embedded' && (temporal.tls || temporal.apiKeyEnv)) {
    problems.push(
      `temporal.${temporal.tls ? 'tls' : 'apiKeyEnv'}: not used with address "embedded" (the local dev server speaks plaintext); set temporal.address to the cluster's host:port`,
    );
  }
  return { settings, problems };
}

export function securedConnection(temporal: TemporalConfig, env: NodeJS.ProcessEnv = process.env): SecuredConnection {
  const { settings, problems } = readSecuredConnection(temporal, env);
  if (problems.length) throw new TemporalSettingsError(problems);
  return settings;
}

/**
 * The process's Temporal client. `queryDeadlineMs` bounds each attempt of a workflow query (client/query-deadline.ts:
 * below the workers' sticky queue timeout, so no query is ever answered from events no worker has committed).
 */
export async function connectClient(
  address: string,
  namespace: string,
  secured: SecuredConnection = {},
  queryDeadlineMs?: number,
): Promise<Client> {
  const connection = await Connection.connect({
    address,
    // The SDK's retry interceptor for every call, plus bounded query attempts (client/query-deadline.ts).
    ...(queryDeadlineMs ? { interceptors: temporalClientInterceptors(queryDeadlineMs) } : {}),
    ...(secured.tls ? { tls: secured.tls } : {}),
    ...(secured.apiKey ? { apiKey: secured.apiKey } : {}),
  });
  return new Client({
    connection,
    namespace,
    ...(secured.dataConverter ? { dataConverter: secured.dataConverter } : {}),
  });
}
