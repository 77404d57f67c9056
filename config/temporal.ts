// Connection security for a Temporal cluster: TLS (mTLS for Temporal Cloud) and the payload codec's keys.
import { z } from 'zod';

import { envName } from './env-name';

/**
 * TLS to a Temporal cluster. Each PEM comes from a file (`*File`) or from an environment variable holding
 * the PEM itself (`*Env`, for platforms that inject secrets as variables). A client certificate (mTLS,
 * Temporal Cloud) needs its key. `tls: {}` is TLS with the system's CAs.
 */
export const temporalTlsSchema = z
  .strictObject({
    caFile: z.string().min(1).optional(),
    caEnv: envName.optional(),
    certFile: z.string().min(1).optional(),
    certEnv: envName.optional(),
    keyFile: z.string().min(1).optional(),
    keyEnv: envName.optional(),
    /** The name the server's certificate is checked against, when it differs from the address's host. */
    serverName: z.string().min(1).optional(),
  })
  .superRefine((t, ctx) => {
    for (const what of ['ca', 'cert', 'key'] as const) {
      if (t[`${what}File`] && t[`${what}Env`])
        ctx.addIssue({ code: 'custom', path: [`${what}Env`], message: `set ${what}File or ${what}Env, not both` });
    }
    const cert = !!(t.certFile || t.certEnv);
    const key = !!(t.keyFile || t.keyEnv);
    if (cert !== key)
      ctx.addIssue({
        code: 'custom',
        path: [cert ? 'keyFile' : 'certFile'],
        message: 'a client certificate needs its private key: set both certFile/certEnv and keyFile/keyEnv',
      });
  });

const codecKeyId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, "_", "." or "-"');

/**
 * Payload encryption (AES-256-GCM) for everything lifeline sends through Temporal. The key is 32 bytes,
 * base64, in `keyEnv`; each payload records the `keyId` it was sealed with, so a new key can take over
 * while `previousKeys` still open older histories.
 */
export const temporalCodecSchema = z
  .strictObject({
    keyId: codecKeyId,
    keyEnv: envName,
    previousKeys: z.array(z.strictObject({ keyId: codecKeyId, keyEnv: envName })).default([]),
    /** Browser origins (the Temporal UI's) allowed to call the API's /codec endpoint. */
    corsOrigins: z.array(z.url()).default([]),
  })
  .superRefine((c, ctx) => {
    const seen = new Set([c.keyId]);
    c.previousKeys.forEach((k, i) => {
      if (seen.has(k.keyId))
        ctx.addIssue({ code: 'custom', path: ['previousKeys', i, 'keyId'], message: `duplicate key id "${k.keyId}"` });
      seen.add(k.keyId);
    });
  });
