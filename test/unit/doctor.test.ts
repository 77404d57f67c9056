// `lifeline doctor`, the pure checks (domain/doctor.ts) and the secret walk (cli/doctor.ts): each
// finding with its fix, and the readiness level with what the next one needs.
import { parseConfig } from '../../config/load';
import { diagnose, type DoctorFacts } from '../../domain/doctor';
import { secretRefs } from '../../cli/doctor';

const NOW = '2026-11-30T12:00:00.000Z';
const daysAgo = (d: number) => new Date(Date.parse(NOW) - d * 86_400_000).toISOString();
const person = (name: string) => [{ name, email: `${name}@example.com` }];

/** A well-run set-up (expert): every chain backed up, drilled on a schedule, paged, with SLOs. */
function facts(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    now: NOW,
    providers: [
      { id: 'openai', detectionBoundMs: 4_000 },
      { id: 'anthropic', detectionBoundMs: 4_000 },
    ],
    chains: [{ id: 'chat', providers: ['openai', 'anthropic'] }],
    escalation: {
      roles: {
        technical_lead: person('dana'),
        incident_commander: person('sam'),
        communications: person('kim'),
        business_impact: person('lee'),
        executive: person('alex'),
      },
      levels: {},
    },
    channels: ['slack'],
    secrets: [{ where: 'providers.0.apiKeyEnv', env: 'OPENAI_API_KEY', set: true }],
    channelProbes: [{ channel: 'slack', ok: true, detail: 'ok' }],
    temporal: { address: 'temporal:7233', reachable: true, detail: 'ok', retentionDays: 90 },
    retentionNeededDays: 90,
    drills: {
      configured: [{ id: 'monthly', chain: 'chat', schedule: '0 10 1 * *', enabled: true }],
      runs: [{ chain: 'chat', startedAt: daysAgo(3), outcome: 'passed' }],
    },
    unhealthy: [],
    slos: [{ id: 'chat-availability' }],
    ...over,
  };
}
const ids = (f: DoctorFacts) => diagnose(f).findings.map((x) => `${x.severity} ${x.id}`);

test('a well-run set-up has no findings and is expert', () => {
  const r = diagnose(facts());
  expect(r.findings).toEqual([]);
  expect(r.readiness).toEqual({ level: 'expert', next: null, needs: [] });
});

test('a chain with one provider, or none healthy besides the primary, is an error with its fix', () => {
  const single = diagnose(facts({ chains: [{ id: 'solo', providers: ['openai'] }] })).findings[0];
  expect(single).toMatchObject({ id: 'chain-single-provider', severity: 'error', subject: 'chains.solo' });
  expect(single.fix).toMatch(/add a second provider/);
  expect(ids(facts({ unhealthy: ['anthropic'] }))).toContain('error chain-no-healthy-alternative');
});

test('failover not exercised: no drill, a stale one, a failed one; refused runs do not count', () => {
  expect(ids(facts({ drills: { configured: [], runs: [] } }))).toContain('warning failover-not-exercised');
  expect(
    ids(facts({ drills: { configured: [], runs: [{ chain: 'chat', startedAt: daysAgo(31), outcome: 'passed' }] } })),
  ).toContain('warning failover-not-exercised');
  expect(
    ids(facts({ drills: { configured: [], runs: [{ chain: 'chat', startedAt: daysAgo(1), outcome: 'refused' }] } })),
  ).toContain('warning failover-not-exercised');
  expect(
    ids(facts({ drills: { configured: [], runs: [{ chain: 'chat', startedAt: daysAgo(1), outcome: 'failed' }] } })),
  ).toContain('warning drill-failed');
  expect(ids(facts({ drills: { configured: [], runs: null } }))).toContain('warning drill-records-unreadable');
});

test('escalation levels that page nobody, people without a contact, unset secrets, channels and Temporal down', () => {
  const found = ids(
    facts({
      escalation: { roles: { technical_lead: [{ name: 'dana' }] }, levels: { 2: ['nobody_here'] } },
      secrets: [
        { where: 'notifications.slack.tokenEnv', env: 'SLACK_BOT_TOKEN', set: false },
        { where: 'providers.0.backupApiKeyEnv', env: 'OPENAI_BACKUP', set: false, optional: true },
      ],
      channelProbes: [{ channel: 'slack', ok: false, detail: 'ECONNREFUSED' }],
      temporal: { address: 'temporal:7233', reachable: false, detail: 'refused' },
    }),
  );
  expect(found).toEqual(
    expect.arrayContaining([
      'error escalation-level-empty',
      'warning escalation-role-empty',
      'warning contact-unreachable',
      'error secret-unset',
      'warning secret-unset',
      'error channel-unreachable',
      'error temporal-unreachable',
    ]),
  );
  // Errors first.
  const sev = diagnose(
    facts({ temporal: { address: 'x:1', reachable: false, detail: '' }, slos: undefined }),
  ).findings.map((x) => x.severity);
  expect(sev).toEqual(
    [...sev].sort((a, b) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b)),
  );
});

test('retention shorter than the archive and status page need; SLOs read defensively', () => {
  expect(ids(facts({ temporal: { address: 'x:1', reachable: true, detail: '', retentionDays: 30 } }))).toContain(
    'warning retention-short',
  );
  expect(ids(facts({ temporal: { address: 'x:1', reachable: true, detail: '', retentionDays: 0.5 } }))).toContain(
    'error retention-short',
  );
  for (const slos of [undefined, null, [], {}, 'nonsense']) expect(ids(facts({ slos }))).toContain('info slos-missing');
  expect(ids(facts({ slos: { chat: { availability: 0.999 } } }))).not.toContain('info slos-missing');
});

test('readiness: the first level with unmet needs names them', () => {
  expect(diagnose(facts({ temporal: { address: 'x:1', reachable: false, detail: '' } })).readiness).toEqual({
    level: 'none',
    next: 'basic',
    needs: ['Temporal reachable'],
  });
  expect(diagnose(facts({ channels: [], channelProbes: [] })).readiness).toMatchObject({
    level: 'basic',
    next: 'intermediate',
    needs: ['a reachable paging channel besides the log'],
  });
  expect(diagnose(facts({ slos: undefined })).readiness).toMatchObject({
    level: 'intermediate',
    next: 'advanced',
    needs: ['SLOs defined (slos:)'],
  });
  expect(
    diagnose(facts({ drills: { configured: [], runs: [{ chain: 'chat', startedAt: daysAgo(2), outcome: 'passed' }] } }))
      .readiness,
  ).toMatchObject({ level: 'advanced', next: 'expert', needs: ['a scheduled drill for every chain'] });
});

test('every *Env key of a config is found, with whether it is set; backups and API tokens are optional', () => {
  const config = parseConfig(`
auth: { tokens: [{ name: ops, tokenEnv: OPS_TOKEN, scopes: [read] }] }
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com, apiKeyEnv: OPENAI_API_KEY, backupApiKeyEnv: OPENAI_BACKUP_KEY }
notifications: { slack: { channel: C123 } }
`);
  const refs = secretRefs(config, { OPENAI_API_KEY: 'x' });
  expect(refs).toEqual(
    expect.arrayContaining([
      { where: 'auth.tokens.0.tokenEnv', env: 'OPS_TOKEN', set: false, optional: true },
      { where: 'providers.0.apiKeyEnv', env: 'OPENAI_API_KEY', set: true, optional: false },
      { where: 'providers.0.backupApiKeyEnv', env: 'OPENAI_BACKUP_KEY', set: false, optional: true },
      { where: 'notifications.slack.tokenEnv', env: 'SLACK_BOT_TOKEN', set: false, optional: false },
    ]),
  );
});
