// How one request to a provider is authenticated: a static key in its dialect's header (apiKeyEnv), a
// SigV4 signature (Bedrock with IAM keys, auth.type sigv4) or an OAuth2 access token (Vertex AI with a
// service account, auth.type google-service-account). Probes and diagnostics call this at the edge; the
// headers it returns go on the wire and nowhere else.
import { readSecret } from '../../config/load';
import type { CloudAuth, ProviderConfig } from '../../config/schema';
import { authHeaders } from '../probe-requests';
import { CredentialError } from './errors';
import { googleTokens, type GoogleTokenCache } from './google-token';
import { signSigV4, type AwsCredentials, type OutgoingRequest } from './sigv4';

export { CredentialError } from './errors';

export interface AuthorizeOptions {
  env?: NodeJS.ProcessEnv;
  /** The backup key (apiKeyEnv providers only: cloud credentials have no backup). */
  useBackupKey?: boolean;
  /** Defaults to the process-wide cache; tests pass their own (with a clock). */
  googleTokens?: GoogleTokenCache;
}

/** The full header set to send with this request. Throws CredentialError when credentials are unusable. */
export async function authorizeRequest(
  p: ProviderConfig,
  req: OutgoingRequest,
  opts: AuthorizeOptions = {},
): Promise<Record<string, string>> {
  switch (p.auth?.type) {
    case 'sigv4':
      return signSigV4(req, awsCredentials(p.auth, opts.env), p.auth.region);
    case 'google-service-account': {
      const token = await (opts.googleTokens ?? googleTokens).token(p.id, p.auth, opts.env, p.probe.timeoutMs);
      return { ...req.headers, authorization: `Bearer ${token}` };
    }
    default:
      return {
        ...req.headers,
        ...authHeaders(p, readSecret(opts.useBackupKey ? p.backupApiKeyEnv : p.apiKeyEnv, opts.env)),
      };
  }
}

function awsCredentials(
  auth: Extract<CloudAuth, { type: 'sigv4' }>,
  env: NodeJS.ProcessEnv | undefined,
): AwsCredentials {
  const accessKeyId = readSecret(auth.accessKeyIdEnv, env);
  const secretAccessKey = readSecret(auth.secretAccessKeyEnv, env);
  const missing = [!accessKeyId && auth.accessKeyIdEnv, !secretAccessKey && auth.secretAccessKeyEnv].filter(Boolean);
  if (!accessKeyId || !secretAccessKey)
    throw new CredentialError('credentials_missing', `${missing.join(' and ')} not set`);
  const sessionToken = readSecret(auth.sessionTokenEnv, env);
  if (auth.sessionTokenEnv && !sessionToken)
    throw new CredentialError('credentials_missing', `${auth.sessionTokenEnv} not set`);
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
