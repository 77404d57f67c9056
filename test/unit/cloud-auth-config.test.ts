// Config of cloud credentials (auth: sigv4 | google-service-account): defaults, hosts derived when
// baseUrl is left out, Bedrock's runtime host, and a field-level error for each key that does not fit.
import { readFileSync } from 'node:fs';
import { ConfigError, demoConfigPath, parseConfig } from '../../config/load';
import { endpointBaseUrl } from '../../activities/probe-requests';
import { signingRegion } from '../../activities/cloud-auth/sigv4';

const one = (provider: string) => parseConfig(`providers:\n  - ${provider}\n`).providers[0];

function problems(provider: string): string[] {
  try {
    parseConfig(`providers:\n  - ${provider}\n`, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

test('sigv4: standard variable names by default, control plane derived from the region, runtime from the control plane', () => {
  const p = one('{ id: bedrock, kind: bedrock, auth: { type: sigv4, region: eu-west-3 }, models: [m] }');
  expect(p.auth).toEqual({
    type: 'sigv4',
    region: 'eu-west-3',
    accessKeyIdEnv: 'AWS_ACCESS_KEY_ID',
    secretAccessKeyEnv: 'AWS_SECRET_ACCESS_KEY',
  });
  expect(p.baseUrl).toBe('https://bedrock.eu-west-3.amazonaws.com');
  expect(endpointBaseUrl(p, p.baseUrl, 'control')).toBe('https://bedrock.eu-west-3.amazonaws.com');
  expect(endpointBaseUrl(p, p.baseUrl, 'runtime')).toBe('https://bedrock-runtime.eu-west-3.amazonaws.com/');
  // A backup endpoint in another region: its runtime host and signing region follow it.
  expect(endpointBaseUrl(p, 'https://bedrock-fips.us-west-2.amazonaws.com', 'runtime')).toBe(
    'https://bedrock-runtime-fips.us-west-2.amazonaws.com/',
  );
  expect(signingRegion('https://bedrock-runtime.us-west-2.amazonaws.com/model/x/converse', 'eu-west-3')).toBe(
    'us-west-2',
  );
  expect(signingRegion('https://gateway.internal/bedrock', 'eu-west-3')).toBe('eu-west-3');
});

test('bedrock: runtimeBaseUrl wins for the configured baseUrl; a gateway without one serves both', () => {
  const p = one(
    '{ id: b, kind: bedrock, baseUrl: "https://gw.example.com", runtimeBaseUrl: "https://rt.example.com", auth: { type: sigv4, region: us-east-1 } }',
  );
  expect(endpointBaseUrl(p, 'https://gw.example.com', 'runtime')).toBe('https://rt.example.com');
  const q = one('{ id: b, kind: bedrock, baseUrl: "https://gw.example.com", apiKeyEnv: BEDROCK_KEY }');
  expect(endpointBaseUrl(q, q.baseUrl, 'runtime')).toBe('https://gw.example.com');
});

test('google-service-account: default token URL and scope; Vertex AI host derived from the location', () => {
  const p = one(
    '{ id: v, kind: vertex, project: my-project-1, location: europe-west4, models: [gemini-2.0-flash-001], auth: { type: google-service-account, credentialsFileEnv: GOOGLE_APPLICATION_CREDENTIALS } }',
  );
  expect(p.auth).toEqual({
    type: 'google-service-account',
    credentialsFileEnv: 'GOOGLE_APPLICATION_CREDENTIALS',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    scopes: ['https://www.googleapis.com/auth/cloud-platform'],
  });
  expect(p.baseUrl).toBe('https://europe-west4-aiplatform.googleapis.com');
  expect(one('{ id: v, kind: vertex, project: my-project-1, location: global, models: [g] }').baseUrl).toBe(
    'https://aiplatform.googleapis.com',
  );
});

test('existing key-based Bedrock and Gemini configs parse as before', () => {
  const b = one(
    '{ id: b, kind: bedrock, baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com", apiKeyEnv: AWS_BEARER_TOKEN_BEDROCK }',
  );
  expect(b.auth).toBeUndefined();
  expect(b.baseUrl).toBe('https://bedrock-runtime.us-east-1.amazonaws.com');
  const g = one(
    '{ id: g, kind: vertex, baseUrl: "https://generativelanguage.googleapis.com", apiKeyEnv: GEMINI_API_KEY }',
  );
  expect(g).toMatchObject({ baseUrl: 'https://generativelanguage.googleapis.com', apiKeyEnv: 'GEMINI_API_KEY' });
});

test.each([
  [
    '{ id: b, kind: bedrock, auth: { type: sigv4, region: Mars } }',
    /^providers\.0\.auth\.region: must be an AWS region/,
  ],
  [
    '{ id: b, kind: bedrock, auth: { type: sigv4, region: us-east-1, secretAccessKey: abc } }',
    /^providers\.0\.auth: .*secretAccessKey/,
  ],
  [
    '{ id: b, kind: bedrock, auth: { type: sigv4, region: us-east-1, accessKeyIdEnv: lower } }',
    /^providers\.0\.auth\.accessKeyIdEnv: must be an environment variable name/,
  ],
  ['{ id: b, kind: bedrock, auth: { type: kerberos } }', /^providers\.0\.auth\.type: /],
  ['{ id: b, kind: bedrock }', /^providers\.0\.baseUrl: required/],
  [
    '{ id: o, kind: openai, baseUrl: "https://api.openai.com", auth: { type: sigv4, region: us-east-1 } }',
    /^providers\.0\.auth\.type: sigv4 is for kind bedrock/,
  ],
  [
    '{ id: b, kind: bedrock, auth: { type: sigv4, region: us-east-1 }, apiKeyEnv: KEY }',
    /^providers\.0\.apiKeyEnv: not used with auth/,
  ],
  [
    '{ id: b, kind: bedrock, auth: { type: sigv4, region: us-east-1 }, backupApiKeyEnv: KEY }',
    /^providers\.0\.backupApiKeyEnv: not used with auth/,
  ],
  [
    '{ id: b, kind: bedrock, baseUrl: "sim:b", auth: { type: sigv4, region: us-east-1 } }',
    /^providers\.0\.auth: not used with a sim: provider/,
  ],
  [
    '{ id: o, kind: openai, baseUrl: "https://x.example", runtimeBaseUrl: "https://y.example" }',
    /^providers\.0\.runtimeBaseUrl: only for kind bedrock/,
  ],
  [
    '{ id: v, kind: vertex, project: my-project-1, location: us-central1, models: [g], auth: { type: google-service-account } }',
    /^providers\.0\.auth\.credentialsEnv: set exactly one of credentialsEnv/,
  ],
  [
    '{ id: v, kind: vertex, project: my-project-1, location: us-central1, models: [g], auth: { type: google-service-account, credentialsEnv: A, credentialsFileEnv: B } }',
    /^providers\.0\.auth\.credentialsEnv: set exactly one/,
  ],
  [
    '{ id: v, kind: vertex, project: my-project-1, location: us-central1, models: [g], auth: { type: google-service-account, credentialsEnv: A, scopes: [] } }',
    /^providers\.0\.auth\.scopes: /,
  ],
  [
    '{ id: v, kind: vertex, project: my-project-1, models: [g], baseUrl: "https://x.example" }',
    /^providers\.0\.location: Vertex AI needs both project and location/,
  ],
  [
    '{ id: v, kind: vertex, project: my-project-1, location: us-central1 }',
    /^providers\.0\.models: Vertex AI probes address a model/,
  ],
  [
    '{ id: v, kind: vertex, project: "My Project", location: us-central1, models: [g] }',
    /^providers\.0\.project: must be a Google Cloud project ID/,
  ],
  [
    '{ id: a, kind: anthropic, baseUrl: "https://api.anthropic.com", project: my-project-1 }',
    /^providers\.0\.project: only for kind vertex/,
  ],
  [
    '{ id: a, kind: anthropic, baseUrl: "https://api.anthropic.com", auth: { type: google-service-account, credentialsEnv: A } }',
    /^providers\.0\.auth\.type: google-service-account is for kind vertex/,
  ],
])('%s is rejected at the right key', (provider, expected) => {
  expect(problems(provider)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
});

test("the demo's commented cloud examples are valid once uncommented", () => {
  const demo = readFileSync(demoConfigPath(), 'utf8').split('\n');
  const start = demo.findIndex((l) => l.includes('# Real clouds'));
  const block = demo.slice(start + 1).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('  # ')));
  expect(block.length).toBeGreaterThan(8);
  const providers = parseConfig(`providers:\n${block.map((l) => l.replace(/^ {2}# /, '  ')).join('\n')}\n`).providers;
  expect(providers.map((p) => [p.id, p.baseUrl])).toEqual([
    ['bedrock', 'https://bedrock.us-east-1.amazonaws.com'],
    ['vertex', 'https://us-central1-aiplatform.googleapis.com'],
  ]);
});
