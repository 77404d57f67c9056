/**
 * docker-compose.yml is valid under the official Compose Specification schema
 * (test/fixtures/compose-spec.json; where it comes from is in
 * test/fixtures/README.md) and wired the way lifeline needs: Temporal comes up
 * in order, the search attributes are registered before lifeline starts, tags
 * are pinned and no secret is written inline. The Dockerfile and .dockerignore
 * get a few cheap checks too.
 *
 * No Docker engine is needed; nothing here starts a container.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';

const ROOT = resolve(__dirname, '..', '..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const SCHEMA_FILE = join(ROOT, 'test', 'fixtures', 'compose-spec.json');
const LIFELINE_CONFIG_FILE = join(ROOT, 'deploy', 'lifeline.compose.yaml');
const DOCKERFILE = join(ROOT, 'Dockerfile');
const DOCKERIGNORE = join(ROOT, '.dockerignore');

const LIFELINE_SERVICES = ['lifeline-worker', 'lifeline-api'] as const;
const CONFIG_PATH_IN_CONTAINER = '/etc/lifeline/lifeline.config.yaml';
const DATA_DIR = '/var/lib/lifeline';
const SECRETS = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'LIFELINE_INGEST_TOKEN',
  'LIFELINE_OPERATOR_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
];
const SEARCH_ATTRIBUTES = [
  'LifelineProvider',
  'LifelineSeverity',
  'LifelinePhase',
  'LifelineStatus',
  'LifelineIncidentId',
];

type Json = Record<string, unknown>;
type Env = Map<string, string | null>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function asObject(v: unknown, what: string): Json {
  if (!isObject(v)) throw new Error(`${what} is not a mapping`);
  return v;
}

/** Parses YAML the way Compose does: merge keys (`<<`) on, duplicate keys rejected. */
function loadYaml(file: string): Json {
  const doc = parseDocument(readFileSync(file, 'utf8'), { merge: true, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
  if (problems.length > 0) throw new Error(`${file}:\n${problems.join('\n')}`);
  return asObject(doc.toJS(), file);
}

/** A validator for the Compose schema, honouring its own `$schema` dialect. */
function compileComposeSchema(schema: Json): ValidateFunction {
  if (schema.$schema !== 'https://json-schema.org/draft/2020-12/schema') {
    throw new Error(`compose-spec.json declares ${String(schema.$schema)}; update the Ajv class in this test`);
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // compose-go registers "duration" as a Go duration ("10s", "1m30s"), not ISO 8601.
  ajv.addFormat('duration', /^[-+]?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  return ajv.compile(schema);
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('\n');
}

function services(doc: Json): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, svc] of Object.entries(asObject(doc.services, 'services'))) out[name] = asObject(svc, name);
  return out;
}

/** `environment:` in either list or mapping form; a null value means pass-through. */
function envOf(svc: Json): Env {
  const env: Env = new Map();
  const raw = svc.environment;
  if (Array.isArray(raw)) {
    for (const entry of raw as string[]) {
      const i = entry.indexOf('=');
      if (i < 0) env.set(entry, null);
      else env.set(entry.slice(0, i), entry.slice(i + 1));
    }
  } else if (isObject(raw)) {
    for (const [k, v] of Object.entries(raw)) env.set(k, v === null || v === undefined ? null : String(v));
  }
  return env;
}

/** `depends_on:` in either form, as service -> condition. */
function dependsOn(svc: Json): Map<string, string> {
  const deps = new Map<string, string>();
  const raw = svc.depends_on;
  if (Array.isArray(raw)) for (const name of raw as string[]) deps.set(name, 'service_started');
  else if (isObject(raw)) {
    for (const [name, spec] of Object.entries(raw)) {
      deps.set(name, isObject(spec) && typeof spec.condition === 'string' ? spec.condition : 'service_started');
    }
  }
  return deps;
}

/** The shell script of a one-shot job (`command:` as a string or a list), still `$$`-escaped. */
function scriptOf(svc: Json): string {
  return Array.isArray(svc.command) ? svc.command.map(String).join('\n') : String(svc.command ?? '');
}

function healthcheckCommand(svc: Json): string | undefined {
  if (!isObject(svc.healthcheck) || svc.healthcheck.disable === true) return undefined;
  const test = svc.healthcheck.test;
  if (Array.isArray(test)) return test[0] === 'NONE' ? undefined : test.slice(1).join(' ');
  return typeof test === 'string' ? test : undefined;
}

/** Container ports, with the host port each is published on (short or long syntax). */
function publishedPorts(svc: Json): { target: number; published?: string }[] {
  const ports = Array.isArray(svc.ports) ? (svc.ports as unknown[]) : [];
  return ports.map((p) => {
    if (isObject(p))
      return { target: Number(p.target), published: p.published === undefined ? undefined : String(p.published) };
    const parts = String(p).split('/')[0].split(':');
    return {
      target: Number(parts[parts.length - 1]),
      published: parts.length > 1 ? parts[parts.length - 2] : undefined,
    };
  });
}

function mounts(svc: Json, key: 'volumes' | 'configs'): { source: string; target: string }[] {
  const list = Array.isArray(svc[key]) ? (svc[key] as unknown[]) : [];
  return list.map((m) => {
    if (isObject(m)) return { source: String(m.source), target: String(m.target) };
    const [source, target] = String(m).split(':');
    return { source, target: target ?? (key === 'configs' ? `/${source}` : source) };
  });
}

/** Splits an image reference into name, tag and digest. */
function parseImage(ref: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = ref.split('@');
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  return { name: withoutDigest, digest };
}

/** Go-style duration ("720h", "30m", "1h30m") to hours. */
function durationHours(value: string): number {
  const unit: Record<string, number> = { h: 1, m: 1 / 60, s: 1 / 3600 };
  let hours = 0;
  const rest = value.replace(/(\d+(?:\.\d+)?)([hms])/g, (_, n: string, u: string) => {
    hours += Number(n) * unit[u];
    return '';
  });
  if (rest !== '') throw new Error(`not a duration: ${value}`);
  return hours;
}

const SECRET_NAME = /(PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;
/** A value that only defers to the environment: `${VAR}` or `${VAR:?message}`; no default. */
const DEFERRED = /^\$\{[A-Za-z_][A-Za-z0-9_]*(:?\?[^}]*)?\}$/;
/** Shapes of real credentials, in case one is pasted anywhere in a file. */
const SECRET_SHAPES: [string, RegExp][] = [
  ['OpenAI key', /\bsk-(proj-)?[A-Za-z0-9_-]{20,}/],
  ['Anthropic key', /\bsk-ant-[A-Za-z0-9_-]{10,}/],
  ['Slack token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/],
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{20,}/],
  ['AWS access key', /\bAKIA[0-9A-Z]{16}\b/],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
];

describe('docker-compose.yml', () => {
  let schema: Json;
  let validate: ValidateFunction;
  let compose: Json;
  let svcs: Record<string, Json>;
  let lifelineConfig: Json;

  beforeAll(() => {
    schema = asObject(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')), 'compose-spec.json');
    validate = compileComposeSchema(schema);
    compose = loadYaml(COMPOSE_FILE);
    svcs = services(compose);
    lifelineConfig = loadYaml(LIFELINE_CONFIG_FILE);
  });

  describe('Compose Specification schema', () => {
    it('is the official schema fixture', () => {
      expect(schema.title).toBe('Compose Specification');
      expect(Object.keys(asObject(schema.properties, 'properties'))).toEqual(
        expect.arrayContaining(['services', 'networks', 'volumes', 'configs', 'secrets']),
      );
    });

    it('accepts docker-compose.yml', () => {
      const ok = validate(compose);
      if (!ok)
        throw new Error(`docker-compose.yml does not match the Compose schema:\n${formatErrors(validate.errors)}`);
    });

    // The validator must actually reject things, or the test above proves nothing.
    it('rejects ports that are not a list', () => {
      const broken = structuredClone(compose);
      asObject(services(broken)['lifeline-api'], 'lifeline-api').ports = 'not-a-list';
      expect(validate(broken)).toBe(false);
      expect(validate.errors?.map((e) => e.instancePath)).toContain('/services/lifeline-api/ports');
    });

    it('rejects an unknown top-level key', () => {
      const broken = { ...structuredClone(compose), servicez: {} };
      expect(validate(broken)).toBe(false);
      expect(validate.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'servicez' } }),
        ]),
      );
    });

    it('rejects a misspelt depends_on condition', () => {
      const broken = structuredClone(compose);
      const deps = asObject(services(broken)['lifeline-worker'].depends_on, 'depends_on');
      asObject(deps.temporal, 'depends_on.temporal').condition = 'service_healty';
      expect(validate(broken)).toBe(false);
      expect(validate.errors?.some((e) => e.instancePath.startsWith('/services/lifeline-worker/depends_on'))).toBe(
        true,
      );
    });
  });

  describe('images', () => {
    it('every service has an image with an explicit tag that is not "latest"', () => {
      for (const [name, svc] of Object.entries(svcs)) {
        expect(typeof svc.image).toBe('string');
        const { tag, digest } = parseImage(String(svc.image));
        if (digest === undefined)
          expect({ service: name, tag }).toEqual({ service: name, tag: expect.stringMatching(/^[\w][\w.-]*$/) });
        expect({ service: name, tag }).not.toEqual({ service: name, tag: 'latest' });
      }
    });

    it('uses postgres:15 (what the cluster tier runs) and pins Temporal server and admin-tools to the same version', () => {
      expect(svcs.postgres.image).toBe('postgres:15');
      const server = parseImage(String(svcs.temporal.image));
      expect(server.name).toBe('temporalio/server');
      // admin-tools carries the SQL schema files; they must match the server release.
      for (const job of ['temporal-schema', 'temporal-setup']) {
        expect(parseImage(String(svcs[job].image))).toEqual({
          name: 'temporalio/admin-tools',
          tag: server.tag,
          digest: undefined,
        });
      }
      expect(parseImage(String(svcs['temporal-ui'].image)).name).toBe('temporalio/ui');
    });
  });

  describe('start-up order', () => {
    it('only depends on services that exist, and service_healthy targets have a healthcheck', () => {
      for (const [name, svc] of Object.entries(svcs)) {
        for (const [dep, condition] of dependsOn(svc)) {
          expect({ service: name, dependsOn: dep, exists: dep in svcs }).toEqual({
            service: name,
            dependsOn: dep,
            exists: true,
          });
          if (condition === 'service_healthy')
            expect({ dep, healthcheck: healthcheckCommand(svcs[dep]) }).toEqual({
              dep,
              healthcheck: expect.any(String),
            });
          if (condition === 'service_completed_successfully') {
            // A job that restarts forever never "completes".
            expect({ dep, restart: svcs[dep].restart ?? 'no' }).toEqual({
              dep,
              restart: expect.stringMatching(/^(no|on-failure(:\d+)?)$/),
            });
          }
        }
      }
    });

    it('sets up the Temporal schema in postgres before the server starts', () => {
      expect(healthcheckCommand(svcs.postgres)).toMatch(/pg_isready/);
      expect(dependsOn(svcs['temporal-schema']).get('postgres')).toBe('service_healthy');
      expect(dependsOn(svcs.temporal).get('temporal-schema')).toBe('service_completed_successfully');
      const schemaScript = scriptOf(svcs['temporal-schema']);
      expect(schemaScript).toMatch(/temporal-sql-tool --plugin postgres12 --ep postgres\b/);
      for (const step of ['create-database', 'setup-schema', 'update-schema']) expect(schemaScript).toContain(step);
      expect(schemaScript).toContain('/etc/temporal/schema/postgresql/v12/temporal/versioned');
      expect(schemaScript).toContain('/etc/temporal/schema/postgresql/v12/visibility/versioned');
    });

    it('points the Temporal server at the postgres service with DB=postgres12', () => {
      const env = envOf(svcs.temporal);
      expect(env.get('DB')).toBe('postgres12');
      expect(env.get('POSTGRES_SEEDS')).toBe('postgres');
      expect(env.get('DB_PORT')).toBe('5432');
      expect(healthcheckCommand(svcs.temporal)).toContain('7233');
    });

    it('gives the Temporal server the dynamic config file it is told to read', () => {
      const path = envOf(svcs.temporal).get('DYNAMIC_CONFIG_FILE_PATH');
      const mount = mounts(svcs.temporal, 'configs').find((m) => m.target === path);
      expect(mount).toBeDefined();
      const file = asObject(asObject(compose.configs, 'configs')[String(mount?.source)], 'config').file;
      const hostFile = resolve(ROOT, String(file));
      expect(existsSync(hostFile)).toBe(true);
      expect(loadYaml(hostFile)['system.forceSearchAttributesCacheRefreshOnRead']).toEqual([
        { value: true, constraints: {} },
      ]);
    });

    it('starts lifeline only after Temporal is healthy and the setup job has completed', () => {
      for (const name of LIFELINE_SERVICES) {
        const deps = dependsOn(svcs[name]);
        expect({ name, temporal: deps.get('temporal') }).toEqual({ name, temporal: 'service_healthy' });
        expect({ name, setup: deps.get('temporal-setup') }).toEqual({ name, setup: 'service_completed_successfully' });
      }
      expect(dependsOn(svcs['temporal-setup']).get('temporal')).toBe('service_healthy');
      expect(dependsOn(svcs['temporal-ui']).get('temporal')).toBe('service_healthy');
    });
  });

  describe('Temporal namespace and search attributes', () => {
    it('registers every lifeline search attribute as Keyword', () => {
      const env = envOf(svcs['temporal-setup']);
      const declared = String(env.get('LIFELINE_SEARCH_ATTRIBUTES'))
        .trim()
        .split(/\s+/)
        .map((s) => s.split('='));
      expect(Object.fromEntries(declared)).toEqual(Object.fromEntries(SEARCH_ATTRIBUTES.map((n) => [n, 'Keyword'])));
      const script = scriptOf(svcs['temporal-setup']);
      expect(script).toContain('temporal operator search-attribute create');
      expect(script).toMatch(/--name "\$\$name" --type "\$\$type"/);
      // The job fails if any attribute is still missing afterwards.
      expect(script).toMatch(/is missing.*exit 1/);
    });

    it("sets the namespace lifeline uses to 90 days' retention (the status page's history)", () => {
      const env = envOf(svcs['temporal-setup']);
      const temporal = asObject(lifelineConfig.temporal, 'temporal');
      expect(env.get('TEMPORAL_NAMESPACE')).toBe(temporal.namespace);
      expect(env.get('TEMPORAL_ADDRESS')).toBe(temporal.address);
      expect(durationHours(String(env.get('NAMESPACE_RETENTION')))).toBe(90 * 24);
      expect(scriptOf(svcs['temporal-setup'])).toMatch(
        /temporal operator namespace update --namespace "\$\$ns" --retention "\$\$NAMESPACE_RETENTION"/,
      );
    });
  });

  describe('lifeline services', () => {
    it('build from the repository Dockerfile and run the right role with the mounted config', () => {
      for (const name of LIFELINE_SERVICES) {
        const svc = svcs[name];
        expect(asObject(svc.build, 'build')).toEqual({ context: '.', dockerfile: 'Dockerfile' });
        const role = name === 'lifeline-worker' ? 'worker' : 'api';
        expect(svc.command).toEqual(['node', 'bin/lifeline.js', role, '--config', CONFIG_PATH_IN_CONTAINER]);
        const configMount = mounts(svc, 'configs').find((m) => m.target === CONFIG_PATH_IN_CONTAINER);
        expect(configMount).toBeDefined();
        const file = asObject(asObject(compose.configs, 'configs')[String(configMount?.source)], 'config').file;
        expect(resolve(ROOT, String(file))).toBe(LIFELINE_CONFIG_FILE);
      }
    });

    it('share one named volume at the configured dataDir', () => {
      expect(lifelineConfig.dataDir).toBe(DATA_DIR);
      const sources = LIFELINE_SERVICES.map(
        (name) => mounts(svcs[name], 'volumes').find((m) => m.target === DATA_DIR)?.source,
      );
      expect(sources[0]).toBeDefined();
      expect(sources[1]).toBe(sources[0]);
      expect(Object.keys(asObject(compose.volumes, 'volumes'))).toContain(sources[0]);
    });

    it('publish the api on the configured port and health-check GET /health/ready', () => {
      const server = asObject(lifelineConfig.server, 'server');
      expect(server.port).toBe(8080);
      const api = svcs['lifeline-api'];
      expect(publishedPorts(api)).toContainEqual({ target: 8080, published: '8080' });
      expect(healthcheckCommand(api)).toContain(`http://127.0.0.1:${String(server.port)}/health/ready`);
      expect(healthcheckCommand(svcs['lifeline-worker'])).toBeUndefined();
    });

    it('reach Temporal at a compose service on its frontend port', () => {
      const [host, port] = String(asObject(lifelineConfig.temporal, 'temporal').address).split(':');
      expect(svcs[host]?.image).toMatch(/^temporalio\/server:/);
      expect(port).toBe('7233');
    });

    it('receive every secret as a pass-through variable, including each one the config names', () => {
      const named = [
        ...(asObject(lifelineConfig.auth, 'auth').tokens as Json[]).map((t) => String(t.tokenEnv)),
        ...(lifelineConfig.providers as Json[]).map((p) => String(p.apiKeyEnv)),
        String((asObject(lifelineConfig.store, 'store').postgres as Json).urlEnv),
      ];
      for (const name of LIFELINE_SERVICES) {
        const env = envOf(svcs[name]);
        for (const key of new Set([...SECRETS, ...named])) {
          expect({ service: name, key, passedThrough: env.has(key) && env.get(key) === null }).toEqual({
            service: name,
            key,
            passedThrough: true,
          });
        }
      }
    });
  });

  describe('secrets', () => {
    it('no environment value holds an inline secret', () => {
      for (const [name, svc] of Object.entries(svcs)) {
        for (const [key, value] of envOf(svc)) {
          if (value === null) continue;
          if (SECRET_NAME.test(key)) {
            // `${VAR}` / `${VAR:?message}` only: a `:-default` would be an inline secret.
            expect({ service: name, key, value }).toEqual({
              service: name,
              key,
              value: expect.stringMatching(DEFERRED),
            });
          }
        }
      }
    });

    it('no file of the stack contains something shaped like a real credential', () => {
      for (const file of [COMPOSE_FILE, LIFELINE_CONFIG_FILE, DOCKERFILE]) {
        const text = readFileSync(file, 'utf8');
        for (const [label, shape] of SECRET_SHAPES)
          expect({ file, label, found: shape.test(text) }).toEqual({ file, label, found: false });
      }
    });

    it('the lifeline config refers to credentials only by environment variable name', () => {
      const walk = (v: unknown, path: string): void => {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
        else if (isObject(v)) {
          for (const [k, x] of Object.entries(v)) {
            if (/(token|secret|password|apikey|api_key)$/i.test(k))
              throw new Error(`${path}.${k} looks like an inline credential`);
            walk(x, `${path}.${k}`);
          }
        }
      };
      expect(() => walk(lifelineConfig, 'config')).not.toThrow();
    });
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(DOCKERFILE, 'utf8');
  const lines = text.split('\n').filter((l) => !l.trimStart().startsWith('#'));
  const stages = lines.filter((l) => /^FROM\s/i.test(l));
  const finalStage = lines.slice(lines.lastIndexOf(stages[stages.length - 1])).join('\n');

  it('is multi-stage on node:20-bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages[0]).toMatch(/^FROM node:20-bookworm-slim\b/);
    for (const from of stages.slice(1)) expect(from).toMatch(/^FROM (base|node:20-bookworm-slim)\b/);
  });

  it('builds with the full tree and ships production dependencies only', () => {
    expect(text).toMatch(/RUN (--mount=\S+ )?npm ci\s*$/m);
    expect(text).toContain('npm run build');
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(finalStage).toMatch(/COPY --from=prod-deps \/app\/node_modules/);
    expect(text).toContain('dist/workflows');
  });

  it('runs as node in production with the api as default command', () => {
    expect(finalStage).toMatch(/^ENV NODE_ENV=production$/m);
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage.trimEnd().split('\n').pop()).toBe('CMD ["node", "bin/lifeline.js", "api"]');
  });

  it('keeps secrets, dependencies and build output out of the build context', () => {
    const ignored = readFileSync(DOCKERIGNORE, 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.env', '.env.*', '.git']) expect(ignored).toContain(entry);
  });
});
