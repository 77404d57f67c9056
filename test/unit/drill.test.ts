// Failover drills, the pure part and the config: which weights a drill applies, how its times are
// judged against the runbook targets, and the drills: section's field-level errors.
import { parseConfig } from '../../config/load';
import { DRILL_TARGETS, drillPrimary, drillReportKey, drillWeights, judgeDrill } from '../../domain/drill';

const base = `
providers:
  - { id: openai, kind: openai, baseUrl: sim:openai }
  - { id: anthropic, kind: anthropic, baseUrl: sim:anthropic }
chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
  - { id: solo, providers: [openai], weights: { openai: 100 } }
`;
const issuesOf = (yaml: string): string[] => {
  try {
    parseConfig(yaml);
    return [];
  } catch (err) {
    return (err as Error).message.split('\n').map((l) => l.trim());
  }
};

test('a drill moves its share of the primary to the backup, or all of it', () => {
  expect(drillWeights({ openai: 100 }, 'openai', 'anthropic', 10)).toEqual({ openai: 90, anthropic: 10 });
  expect(drillWeights({ openai: 80, bedrock: 20 }, 'openai', 'anthropic', 'full')).toEqual({
    anthropic: 80,
    bedrock: 20,
  });
  expect(drillPrimary({ openai: 30, anthropic: 70 }, ['openai', 'anthropic'])).toBe('anthropic');
  expect(drillPrimary({}, ['openai'])).toBeNull();
});

test('judged against the runbook targets: each miss is a finding with its fix; a problem fails the drill', () => {
  expect(judgeDrill({ detectionMs: 5_000, failoverMs: 2_000, restorationMs: 3_000 }, DRILL_TARGETS, [])).toEqual({
    passed: true,
    findings: [],
  });
  const slow = judgeDrill({ detectionMs: 65_000, failoverMs: 2_000, restorationMs: 130_000 }, DRILL_TARGETS, []);
  expect(slow.passed).toBe(false);
  expect(slow.findings).toEqual([
    expect.stringMatching(/^detection 65\.0 s misses the 30\.0 s target: lower .*probe\.intervalMs/),
    expect.stringMatching(/^restoration 130\.0 s misses the 120\.0 s target/),
  ]);
  const broken = judgeDrill({ detectionMs: 1_000, failoverMs: 1_000 }, DRILL_TARGETS, ['backup anthropic failed']);
  expect(broken.passed).toBe(false);
  expect(broken.findings).toEqual([
    'backup anthropic failed',
    'restoration not measured (the drill did not get that far)',
  ]);
});

test('report keys are plain store names, also for the timestamps schedules append', () => {
  expect(drillReportKey('drill-monthly-scheduled-2026-12-01T10:00:00Z')).toBe(
    'drill-monthly-scheduled-2026-12-01T10_00_00Z',
  );
});

test('drills: defaults, and field-level errors for a bad share, cron, chain and backup', () => {
  const ok = parseConfig(`${base}drills:\n  - { id: monthly, chain: chat, schedule: "0 10 1 * *" }\n`);
  expect(ok.drills[0]).toEqual({
    id: 'monthly',
    chain: 'chat',
    share: 'full',
    durationMs: 300_000,
    checkEveryMs: 5_000,
    schedule: '0 10 1 * *',
    enabled: true,
  });
  expect(parseConfig(base).drills).toEqual([]);
  const issues = issuesOf(`${base}drills:
  - { id: a, chain: chat, share: 150, schedule: "every monday" }
  - { id: b, chain: nope }
  - { id: c, chain: solo }
  - { id: d, chain: chat, to: bedrock }
  - { id: d, chain: chat, durationMs: 10 }
`);
  const joined = issues.join('\n');
  expect(joined).toMatch(/drills\.0\.share: /);
  expect(joined).toMatch(/drills\.0\.schedule: must be a cron expression with five fields/);
  expect(joined).toMatch(/drills\.1\.chain: unknown chain "nope"/);
  expect(joined).toMatch(/drills\.2\.chain: chain "solo" has one provider/);
  expect(joined).toMatch(/drills\.3\.to: "bedrock" is not in chain "chat"/);
  expect(joined).toMatch(/drills\.4\.id: duplicate drill id "d"/);
  expect(joined).toMatch(/drills\.4\.durationMs: /);
});
