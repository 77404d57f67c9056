// Cloud credentials of a provider (Bedrock IAM keys, Vertex AI service accounts): the `providers[].auth` key.
import { z } from 'zod';
import { envName } from './env-name';

export const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL');

/**
 * Cloud credentials for a provider, read from the environment by name like every other secret. `sigv4`
 * signs Bedrock requests with IAM keys; `google-service-account` mints OAuth2 access tokens for Vertex
 * AI from a service-account key (JWT-bearer grant).
 */
export const cloudAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('sigv4'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region, e.g. us-east-1'),
    accessKeyIdEnv: envName.default('AWS_ACCESS_KEY_ID'),
    secretAccessKeyEnv: envName.default('AWS_SECRET_ACCESS_KEY'),
    sessionTokenEnv: envName.optional(),
  }),
  z.strictObject({
    type: z.literal('google-service-account'),
    /** The service-account key JSON itself, in this variable. */
    credentialsEnv: envName.optional(),
    /** A variable holding the path of the key file (like GOOGLE_APPLICATION_CREDENTIALS). */
    credentialsFileEnv: envName.optional(),
    tokenUrl: httpUrl.default('https://oauth2.googleapis.com/token'),
    scopes: z.array(z.url()).min(1).default(['https://www.googleapis.com/auth/cloud-platform']),
  }),
]);
export type CloudAuth = z.infer<typeof cloudAuthSchema>;
