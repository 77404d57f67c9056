// lifeline.config.yaml, validated by zod. Unknown keys are errors (a typo must not silently disable a
// feature); secrets are never inline, only environment variable names (`*Env`).
import { z } from 'zod';
import { DEFAULT_IMPACT_RULES } from '../domain/impact';
import { notificationsSchema, withMailServer } from './notifications';
import { smtpSchema } from './smtp';
import { temporalCodecSchema, temporalTlsSchema } from './temporal';
import { envName } from './env-name';
import { cloudAuthSchema, httpUrl } from './cloud-auth';
import { publisherConfigShape } from '../publishers';
import { quotaForecastSchema, slosSchema } from './slos';
import { drillsSchema } from './drills';
import { rolloutsSchema } from './rollouts';
import { outcomesSchema } from './outcomes';
import { workerSchema } from './worker';

const id = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]*$/,
    'must start with a lower-case letter or digit, then letters, digits, "_", "." or "-"',
  );
const duration = z.number().int().positive();

export type { CloudAuth } from './cloud-auth';

type ProviderFields = z.infer<typeof providerFields>;

/** Hosts derived when baseUrl is left out: the regional Bedrock control plane, the Vertex AI endpoint. */
function defaultBaseUrl(p: Pick<ProviderFields, 'kind' | 'auth' | 'location'>): string | undefined {
  if (p.kind === 'bedrock' && p.auth?.type === 'sigv4') return `https://bedrock.${p.auth.region}.amazonaws.com`;
  if (p.kind === 'vertex' && p.location)
    return p.location === 'global'
      ? 'https://aiplatform.googleapis.com'
      : `https://${p.location}-aiplatform.googleapis.com`;
  return undefined;
}

/** Keys that only make sense together, each reported at the key that is wrong. */
function providerConsistency(p: ProviderFields, ctx: z.RefinementCtx): void {
  const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (!p.baseUrl && !defaultBaseUrl(p))
    issue(['baseUrl'], 'required (it can be left out only for bedrock with auth.type sigv4, or vertex with location)');
  if (p.auth?.type === 'sigv4' && p.kind !== 'bedrock') issue(['auth', 'type'], 'sigv4 is for kind bedrock');
  if (p.auth?.type === 'google-service-account' && p.kind !== 'vertex')
    issue(['auth', 'type'], 'google-service-account is for kind vertex');
  if (p.auth?.type === 'google-service-account' && !p.auth.credentialsEnv === !p.auth.credentialsFileEnv)
    issue(
      ['auth', 'credentialsEnv'],
      'set exactly one of credentialsEnv (the key JSON) and credentialsFileEnv (a path to it)',
    );
  if (p.auth && p.apiKeyEnv)
    issue(['apiKeyEnv'], 'not used with auth: the cloud credentials authenticate this provider');
  if (p.auth && p.backupApiKeyEnv)
    issue(['backupApiKeyEnv'], 'not used with auth (there is no backup for cloud credentials)');
  if (p.auth && p.baseUrl?.startsWith('sim:')) issue(['auth'], 'not used with a sim: provider');
  if (p.runtimeBaseUrl && p.kind !== 'bedrock') issue(['runtimeBaseUrl'], 'only for kind bedrock');
  if ((p.project || p.location) && p.kind !== 'vertex')
    issue([p.project ? 'project' : 'location'], 'only for kind vertex');
  if (p.kind === 'vertex' && !p.project !== !p.location)
    issue([p.project ? 'location' : 'project'], 'Vertex AI needs both project and location');
  if (p.kind === 'vertex' && p.project && !p.models.length)
    issue(['models'], 'Vertex AI probes address a model (countTokens): list at least one');
}

export const SCOPES = ['read', 'operate', 'ingest', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
export const PROVIDER_KINDS = [
  'openai',
  'anthropic',
  'bedrock',
  'vertex',
  'azure-openai',
  'openai-compatible',
] as const;

const providerFields = z.strictObject({
  id,
  kind: z.enum(PROVIDER_KINDS),
  /**
   * An http(s) URL, or `sim:<name>` for a provider simulated in-process (demo and tests). Optional for
   * Bedrock with SigV4 (derived from auth.region) and Vertex AI (derived from location).
   */
  baseUrl: z
    .string()
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v) || /^sim:[a-z0-9_.]+$/.test(v), 'must be an http(s) URL or sim:<name>')
    .optional(),
  /** Bedrock: where inference (Converse) goes; default derived from baseUrl (bedrock.* → bedrock-runtime.*). */
  runtimeBaseUrl: httpUrl.optional(),
  /** Vertex AI (both set): publisher-model paths under projects/<project>/locations/<location>. */
  project: z
    .string()
    .regex(/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'must be a Google Cloud project ID')
    .optional(),
  location: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'must be a Google Cloud location, e.g. us-central1 or global')
    .optional(),
  /** Cloud credentials instead of a static key (see cloudAuthSchema). */
  auth: cloudAuthSchema.optional(),
  apiKeyEnv: envName.optional(),
  backupApiKeyEnv: envName.optional(),
  models: z.array(z.string().min(1)).default([]),
  statusPage: z.url().optional(),
  /** Recovery: another endpoint/region to try on network faults, and a cheaper model for quota trouble. */
  backupBaseUrl: httpUrl.optional(),
  cheaperModel: z.string().min(1).optional(),
  /** Statuspage v2 base URL (summary.json) or Google's incidents.json; corroborates our incidents. */
  statusPageFormat: z.enum(['statuspage', 'google']).default('statuspage'),
  statusPagePollMs: duration.default(60_000),
  /** Status pages lag and are edited by hand: by default they never open an incident alone. */
  statusPageOpensIncident: z.boolean().default(false),
  probe: z
    .strictObject({
      intervalMs: duration.default(30_000),
      timeoutMs: duration.default(5_000),
      /** When set, a 1-token inference probe per model in `models` runs at this (slower) interval. */
      inferenceIntervalMs: duration.optional(),
    })
    .prefault({}),
  // The runbook's failover triggers; see domain/detection.ts and domain/breaker.ts.
  detection: z
    .strictObject({
      failuresToOpen: z.number().int().min(1).default(3),
      successesToClose: z.number().int().min(1).default(2),
      windowSize: z.number().int().min(1).default(40),
      minSamples: z.number().int().min(1).default(10),
      serverErrorShare: z.number().min(0).max(1).default(0.05),
      rateLimitShare: z.number().min(0).max(1).default(0.1),
      p95LatencyMs: duration.default(3000),
      minDwellMs: z.number().int().min(0).default(0),
      breakerCooldownMs: duration.default(5000),
      trialsToClose: z.number().int().min(1).default(2),
    })
    .prefault({}),
});

const providerSchema = providerFields
  .superRefine(providerConsistency)
  .transform((p) => ({ ...p, baseUrl: p.baseUrl ?? defaultBaseUrl(p)! }));

const chainSchema = z.strictObject({
  id,
  providers: z.array(id).min(1),
  weights: z.record(z.string(), z.number().int().min(0).max(100)),
});

const personSchema = z.strictObject({
  name: z.string().min(1),
  email: z.email().optional(),
  /** Slack user ID (U…), mentioned in the incident message when their role is paged. */
  slack: z.string().optional(),
  /** A personal PagerDuty Events v2 routing key, by environment variable name. */
  pagerdutyRoutingKeyEnv: envName.optional(),
});

export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** The API's public base URL, for links in Slack messages, emails and the status page. */
        publicUrl: z.url().optional(),
        /** Route event streams and long-polls (GET /v1/routes/:chain/events, ?wait=) one API process holds (default 1000); 503 beyond. */
        maxRouteSubscribers: z.number().int().min(1).max(100_000).optional(),
      })
      .prefault({}),
    temporal: z
      .strictObject({
        address: z
          .string()
          .regex(/^(embedded|[^\s:]+:\d+)$/, 'must be "embedded" or host:port')
          .default('embedded'),
        namespace: z.string().min(1).default('default'),
        taskQueue: z.string().min(1).default('lifeline'),
        /** Port of the embedded dev server's frontend (0 = any free port) and its web UI (false = none). */
        port: z.number().int().min(0).max(65535).default(7233),
        uiPort: z.union([z.number().int().min(0).max(65535), z.literal(false)]).default(8233),
        /**
         * The embedded server's SQLite durability. `normal` (WAL, synchronous=NORMAL): survives a crash of
         * any process, kill -9 included; an OS crash or power cut may lose the last commits. `full`:
         * every commit fsynced (about 2.5× slower ingestion on a small VM). Ignored for an external cluster.
         */
        sqliteSync: z.enum(['normal', 'full']).default('normal'),
        /** TLS to an external cluster (ignored for "embedded"); see README "Running in production". */
        tls: temporalTlsSchema.optional(),
        /** Temporal Cloud API key, by environment variable name; TLS is on whenever it is set. */
        apiKeyEnv: envName.optional(),
        /** Encrypts workflow payloads before they leave the process (client and worker alike). */
        codec: temporalCodecSchema.optional(),
      })
      .prefault({}),
    /** `lifeline worker` (no API in the process) serves its metrics here; off by default. See README "Metrics and health". */
    worker: workerSchema,
    dataDir: z.string().min(1).default('.data'),
    /**
     * Where lifeline's own state lives (archive, reports, Slack records, subscribers, generated secrets):
     * `local` = files under dataDir (one host); `postgres` = a database every replica shares.
     */
    store: z
      .strictObject({
        kind: z.enum(['local', 'postgres']).default('local'),
        postgres: z
          .strictObject({
            /** postgres://user:password@host:port/database, by environment variable name. */
            urlEnv: envName,
            /** Pool size per process. */
            maxConnections: z.number().int().min(1).max(100).default(5),
          })
          .optional(),
      })
      .prefault({})
      .superRefine((s, ctx) => {
        if (s.kind === 'postgres' && !s.postgres)
          ctx.addIssue({
            code: 'custom',
            path: ['postgres'],
            message: 'required with kind postgres: { urlEnv: <variable holding the postgres:// URL> }',
          });
        if (s.kind === 'local' && s.postgres)
          ctx.addIssue({ code: 'custom', path: ['kind'], message: 'set kind: postgres to use store.postgres' });
      }),
    auth: z
      .strictObject({
        tokens: z
          .array(z.strictObject({ name: z.string().min(1), tokenEnv: envName, scopes: z.array(z.enum(SCOPES)).min(1) }))
          .default([]),
      })
      .prefault({}),
    providers: z.array(providerSchema).min(1),
    chains: z.array(chainSchema).default([]),
    services: z.array(z.strictObject({ id, chains: z.array(id).min(1), users: z.number().int().min(0) })).default([]),
    /** Service-level objectives with error budgets and burn-rate alerts (config/slos.ts, README "SLOs and error budgets"). */
    slos: slosSchema,
    /** Proactive incidents when a provider's rate-limit quota is forecast to run out (config/slos.ts). */
    quotaForecast: quotaForecastSchema,
    impact: z
      .strictObject({
        critical: z.strictObject({ minServices: z.number().int().min(0), minUsers: z.number().int().min(0) }),
        high: z.strictObject({ minServices: z.number().int().min(0), minUsers: z.number().int().min(0) }),
        medium: z.strictObject({ minUsers: z.number().int().min(0) }),
      })
      .default(DEFAULT_IMPACT_RULES),
    escalation: z
      .strictObject({
        roles: z.record(z.string(), z.array(personSchema)).default({}),
        levels: z
          .strictObject({
            1: z.array(z.string()).optional(),
            2: z.array(z.string()).optional(),
            3: z.array(z.string()).optional(),
          })
          .default({}),
        ackTimeoutMs: duration.default(5 * 60_000),
        maxRepeats: z.number().int().min(0).default(3),
      })
      .prefault({}),
    statusUpdates: z
      .strictObject({
        SEV1: duration.default(15 * 60_000),
        SEV2: duration.default(30 * 60_000),
        SEV3: duration.default(60 * 60_000),
        SEV4: duration.default(120 * 60_000),
      })
      .prefault({}),
    notifications: notificationsSchema,
    recovery: z
      .strictObject({
        /** Wait between a traffic-shift step and its validation probe (about 2 min in production). */
        shiftStepMs: duration.default(30_000),
        /** Failback begins once the provider has been continuously healthy this long. */
        failbackHealthyForMs: duration.default(120_000),
        failbackCheckEveryMs: duration.default(10_000),
        /** Failback on users' outcomes (trial and normal attempts) rather than waits alone. */
        evidence: z
          .strictObject({
            /** Successful attempts (none failed) that make a healthy provider ready, and a step clean. */
            minRequests: z.number().int().positive().default(5),
            /** With clean evidence, the wait between failback steps (instead of shiftStepMs). */
            stepMs: duration.default(3_000),
          })
          .prefault({}),
      })
      .prefault({}),
    /** Model rollouts through the shift engine (config/rollouts.ts). */
    rollouts: rolloutsSchema,
    /** Where route changes are published besides the built-in table at GET /v1/routes. */
    publishers: z
      .strictObject({
        // One section per external target (webhook, litellm), from publishers/index.ts.
        ...publisherConfigShape(),
        /**
         * How a target that refuses a route is retried (until it takes it or a newer version replaces it):
         * each attempt is bounded by attemptTimeoutMs, the wait between attempts doubles from initialIntervalMs
         * up to maximumIntervalMs.
         */
        retry: z
          .strictObject({
            initialIntervalMs: duration.default(1_000),
            maximumIntervalMs: duration.default(30_000),
            attemptTimeoutMs: duration.default(15_000),
          })
          .prefault({}),
      })
      .prefault({}),
    ingest: z
      .strictObject({
        /** Alertmanager label naming the provider of an alert. */
        alertmanagerProviderLabel: z.string().min(1).default('provider'),
        /** Per-token request budget (token bucket); over it → 429 with retry-after. */
        rateLimit: z
          .strictObject({ perSecond: z.number().positive().default(100), burst: z.number().int().min(1).default(500) })
          .prefault({}),
        /**
         * Group-commit window: a scope's batch waits this long for more alerts before its signal goes
         * (PostgreSQL's commit_delay idea). 5 ms costs a lone alert 5 ms and halves the signals of a storm.
         */
        groupCommitDelayMs: z.number().int().min(0).max(1000).default(5),
      })
      .prefault({}),
    /** Application outcomes (POST /v1/outcomes): passive detection windows, see config/outcomes.ts. */
    outcomes: outcomesSchema,
    simulator: z
      .strictObject({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(0) })
      .prefault({}),
    /** Failover drills (config/drills.ts): a share of a chain's traffic moved to its backup and back. */
    drills: drillsSchema,
    /** Public status page (GET /status and the Statuspage-compatible JSON). */
    statusPage: z
      .strictObject({
        /** The page's one name: the HTML heading, the Statuspage JSON `page.name` and the emails. */
        title: z.string().min(1).default('Service status'),
        /** Older spelling of `title`; when set it wins, so the page still has a single name. */
        name: z.string().min(1).optional(),
        accentColor: z
          .string()
          .regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour')
          .default('#1f6feb'),
        /** Display names for components (provider and service IDs); unnamed ones show their ID. */
        componentNames: z.record(z.string(), z.string().min(1)).default({}),
        historyDays: z.number().int().min(1).max(365).default(90),
        /** Offer email sign-up (and send subscriber mail) when `smtp:` is set. */
        subscriptions: z.boolean().default(true),
        maintenance: z
          .array(
            z.strictObject({
              id: z.string().min(1),
              title: z.string().min(1),
              components: z.array(z.string()).min(1),
              start: z.iso.datetime({ offset: true }),
              end: z.iso.datetime({ offset: true }),
              description: z.string().optional(),
            }),
          )
          .default([]),
      })
      .prefault({}),
    /** The mail server for everything lifeline sends: email notifications and status-page subscriber mail. */
    smtp: smtpSchema.optional(),
    /** Slack app (on when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set; Socket Mode with SLACK_APP_TOKEN). */
    slack: z
      .strictObject({
        /** Slack user ID → operator name, as recorded on timelines. Unmapped users appear as @<Slack name>. */
        users: z
          .record(z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user ID (U…/W…)'), z.string().min(1))
          .default({}),
        /** Who may fail over / fail back and resolve (Slack user IDs or operator names); empty = everyone. */
        allow: z
          .strictObject({ failover: z.array(z.string()).default([]), resolve: z.array(z.string()).default([]) })
          .prefault({}),
      })
      .prefault({}),
  })
  .transform(withMailServer);

export type LifelineConfig = z.infer<typeof configSchema>;
export type ProviderConfig = LifelineConfig['providers'][number];
export type ChainConfig = LifelineConfig['chains'][number];
export type { DrillConfig } from './drills';

export { crossReferenceIssues, type ConfigIssue } from './cross-references';
