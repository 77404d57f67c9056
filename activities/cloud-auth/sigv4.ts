// AWS Signature Version 4 for Bedrock, with @smithy/signature-v4: the signer the AWS SDK v3 itself uses
// (maintained by AWS, typed, handles the double-encoded canonical path of model IDs such as
// `…-v1:0` and temporary credentials' session tokens), hashing with @smithy/hash-node (node:crypto).
// Chosen over aws4 (smaller, but untyped, one maintainer): aws4 is kept as the test's independent
// implementation that recomputes signatures server-side.
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Bedrock signs both its control plane (bedrock.*) and its runtime (bedrock-runtime.*) as service "bedrock". */
const SERVICE = 'bedrock';

const AWS_HOST = /^bedrock(?:-runtime)?(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/;

/** The region an AWS Bedrock host belongs to (a backup endpoint may be in another region), else the configured one. */
export function signingRegion(url: string, configured: string): string {
  return AWS_HOST.exec(new URL(url).hostname)?.[1] ?? configured;
}

/**
 * The headers to send: the given ones plus host, content-length, x-amz-date, x-amz-content-sha256,
 * x-amz-security-token and authorization. Host and content-length are set here, not left to undici, so
 * the signature covers exactly the host and the body bytes that go on the wire.
 */
export async function signSigV4(
  req: OutgoingRequest,
  credentials: AwsCredentials,
  region: string,
  now = new Date(),
): Promise<Record<string, string>> {
  const u = new URL(req.url);
  const headers: Record<string, string> = { ...req.headers, host: u.host };
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
  const signer = new SignatureV4({
    service: SERVICE,
    region: signingRegion(req.url, region),
    credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of u.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: u.protocol,
      hostname: u.hostname,
      path: u.pathname,
      query,
      headers,
      body: req.body,
    },
    { signingDate: now },
  );
  return signed.headers as Record<string, string>;
}
