import { assessImpact, levelForSeverity, DEFAULT_IMPACT_RULES } from '../../domain/impact';
import { nextLevel, rolesForLevel, startingLevel } from '../../domain/escalation';

describe('assessImpact (runbook thresholds)', () => {
  test.each([
    [[{ id: 'a', users: 50 }], 'low', 'SEV4'],
    [[{ id: 'a', users: 101 }], 'medium', 'SEV3'],
    [[{ id: 'a', users: 100 }], 'low', 'SEV4'], // thresholds are "more than"
    [[{ id: 'a', users: 1_001 }], 'high', 'SEV2'],
    [
      [
        { id: 'a', users: 10 },
        { id: 'b', users: 10 },
      ],
      'high',
      'SEV2',
    ], // more than one service
    [[{ id: 'a', users: 10_001 }], 'critical', 'SEV1'],
    [['a', 'b', 'c', 'd'].map((id) => ({ id, users: 1 })), 'critical', 'SEV1'], // more than three services
  ])('%j → %s/%s', (services, level, severity) => {
    const impact = assessImpact(services);
    expect(impact.level).toBe(level);
    expect(impact.severity).toBe(severity);
    expect(impact.users).toBe(services.reduce((s, x) => s + x.users, 0));
    expect(impact.reason).toMatch(/\d/);
  });

  test('rules are configurable', () => {
    const strict = { ...DEFAULT_IMPACT_RULES, medium: { minUsers: 10 } };
    expect(assessImpact([{ id: 'a', users: 11 }], strict).level).toBe('medium');
  });

  test('severity maps back to a level for escalation', () => {
    expect(levelForSeverity('SEV1')).toBe('critical');
    expect(levelForSeverity('SEV3')).toBe('medium');
  });
});

describe('escalation levels', () => {
  test('starting level follows impact', () => {
    expect(startingLevel('critical')).toBe(3);
    expect(startingLevel('high')).toBe(2);
    expect(startingLevel('medium')).toBe(1);
    expect(startingLevel('low')).toBe(1);
  });
  test('levels accumulate roles and stop at 3', () => {
    expect(rolesForLevel(1)).toEqual(['technical_lead']);
    expect(rolesForLevel(2)).toEqual(
      expect.arrayContaining(['technical_lead', 'incident_commander', 'communications']),
    );
    expect(rolesForLevel(3)).toEqual(expect.arrayContaining(['business_impact', 'executive']));
    expect(rolesForLevel(2, { 2: ['sre'] })).toEqual(['sre']);
    expect(nextLevel(1)).toBe(2);
    expect(nextLevel(3)).toBe(3);
  });
});

describe('impact weighs the traffic share the failing provider carries', () => {
  test('0 % share touches no service: lowest severity, and the reason says why', () => {
    const impact = assessImpact([{ id: 'support-bot', users: 12_000, share: 0 }]);
    expect(impact).toMatchObject({ level: 'low', severity: 'SEV4', users: 0, affectedServices: [] });
    expect(impact.reason).toContain('no traffic share on support-bot');
  });
  test('a partial share touches that part of the users', () => {
    expect(assessImpact([{ id: 'support-bot', users: 12_000, share: 100 }]).severity).toBe('SEV1');
    const part = assessImpact([{ id: 'support-bot', users: 12_000, share: 5 }]);
    expect(part).toMatchObject({ users: 600, severity: 'SEV3' });
    expect(part.reason).toContain('traffic share support-bot 5%');
  });
  test("the share of a service is the provider's largest weight over its chains", async () => {
    const { servicesWithShare } = await import('../../domain/impact');
    expect(
      servicesWithShare(
        [
          { id: 'bot', users: 10, chains: ['a', 'b'] },
          { id: 'docs', users: 5, chains: ['b'] },
        ],
        { a: 30, b: 0 },
      ),
    ).toEqual([
      { id: 'bot', users: 10, share: 30 },
      { id: 'docs', users: 5, share: 0 },
    ]);
  });
});
