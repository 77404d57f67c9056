// The diagnostic checklist's TLS check against local HTTPS providers with real throwaway certificates
// (test/helpers/certs.ts): one from a private CA the worker trusts, one from it that expires in three days,
// one that expired two days ago and one self-signed that nobody vouches for. The diagnosis runs as
// lifeline runs (dist/, in its own process) with the CA given the way an operator would give it:
// NODE_EXTRA_CA_CERTS — which Node reads only at start-up, hence the child process.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTestCa, selfSigned, type Leaf } from '../helpers/certs';

const DIST = resolve(__dirname, '..', '..', 'dist');
const DAY = 86_400_000;

let ca: ReturnType<typeof createTestCa>;
const servers: Server[] = [];
const requests: Record<string, number> = {};

/** An OpenAI-shaped provider over HTTPS presenting `leaf`. */
async function provider(name: string, leaf: Leaf): Promise<string> {
  requests[name] = 0;
  const server = createServer({ key: leaf.key, cert: leaf.cert }, (req, res) => {
    requests[name] += 1;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        req.method === 'GET'
          ? { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] }
          : {
              id: 'c1',
              object: 'chat.completion',
              choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'length' }],
            },
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// Runs in the child: lifeline's own config parser and diagnose activity, one diagnosis per provider.
const CHILD = `
const { parseConfig } = require(${JSON.stringify(`${DIST}/config/load`)});
const { createDiagnoseActivities } = require(${JSON.stringify(`${DIST}/activities/diagnose`)});
const pino = require('pino');
const targets = JSON.parse(process.argv[1]);
const yaml = 'providers:\\n' + Object.entries(targets).map(([id, url]) => '  - { id: ' + id + ', kind: openai, baseUrl: "' + url + '", models: [gpt-4o-mini], probe: { timeoutMs: 5000 } }').join('\\n') + '\\n';
const config = parseConfig(yaml);
const deps = { config, client: {}, logger: pino({ level: 'silent' }), baseUrlFor: (id) => targets[id], env: {} };
const d = createDiagnoseActivities(deps);
Promise.all(Object.keys(targets).map(async (id) => [id, await d.diagnoseProvider(id, {})]))
  .then((r) => process.stdout.write(JSON.stringify(Object.fromEntries(r))), (e) => { console.error(e); process.exit(1); });
`;

beforeAll(() => {
  // Built by npm test (and .ci/run) before jest; a missing build fails here, loudly, like the crash tests.
  if (!existsSync(`${DIST}/activities/diagnose.js`))
    throw new Error(`${DIST} is missing: run \`npm run build\` before the integration tests`);
  ca = createTestCa();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  ca?.close();
});

type Check = {
  name: string;
  status: string;
  detail: string;
  suggests?: string;
  evidence?: { daysLeft?: number; authorized?: boolean; validTo?: string };
};

test('TLS diagnosis of real certificates: trusted, expiring in 3 days (called out), expired (failed), self-signed (not trusted)', async () => {
  const now = Date.now();
  const targets = {
    good: await provider('good', ca.leaf(new Date(now - DAY), new Date(now + 365 * DAY))),
    soon: await provider('soon', ca.leaf(new Date(now - DAY), new Date(now + 3 * DAY + 3_600_000))),
    expired: await provider('expired', ca.leaf(new Date(now - 30 * DAY), new Date(now - 2 * DAY))),
    untrusted: await provider('untrusted', selfSigned()),
  };
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', CHILD, JSON.stringify(targets)], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.caFile },
    cwd: resolve(__dirname, '..', '..'),
    timeout: 120_000,
  });
  const diagnoses = JSON.parse(stdout) as Record<string, { checks: Check[] }>;
  const tls = (id: string) => diagnoses[id].checks.find((c) => c.name === 'tls')!;

  // Trusted through the CA file, a year left: passed, no warning, and the provider itself answered the probe.
  expect(tls('good')).toMatchObject({ status: 'passed', evidence: { authorized: true } });
  expect(tls('good').detail).toMatch(/handshake ok, certificate valid to/);
  expect(tls('good').detail).not.toMatch(/expires in/);
  expect(tls('good').evidence?.daysLeft).toBeGreaterThanOrEqual(364);
  expect(requests.good).toBeGreaterThan(0);

  // Three days left: still passes (the endpoint works), but the evidence calls it out.
  expect(tls('soon')).toMatchObject({ status: 'passed', evidence: { authorized: true, daysLeft: 3 } });
  expect(tls('soon').detail).toContain('(expires in 3 day(s)!)');
  expect(new Date(tls('soon').evidence!.validTo!).getTime()).toBeGreaterThan(now + 3 * DAY);

  // Expired two days ago: the handshake is refused, and the check says why and points at the network.
  expect(tls('expired')).toMatchObject({ status: 'failed', suggests: 'network' });
  expect(tls('expired').detail).toMatch(/CERT_HAS_EXPIRED|expired/);

  // Self-signed, not in any trusted store: failed as untrusted.
  expect(tls('untrusted')).toMatchObject({ status: 'failed', suggests: 'network' });
  expect(tls('untrusted').detail).toMatch(/SELF_SIGNED|not trusted/);
});
