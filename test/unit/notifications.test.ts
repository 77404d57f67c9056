// Notification pieces that need no network: templates and their variable check, the PagerDuty summary
// limit, per-alert-kind routing, the repeat-alert rule, impact re-assessment and the config section.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTemplates, renderTemplate, SAMPLE_MODEL, TemplateError } from '../../render/messages';
import { truncateSummary } from '../../channels/pagerduty';
import {
  channelsForKinds,
  deliveryTargetsFor,
  DEFAULT_ALERT_ROUTING,
  DEFAULT_ROUTE,
  pruneArrivals,
  repeatAlertsEscalate,
} from '../../domain/alert-rules';
import { assessImpact, reassessImpact } from '../../domain/impact';
import { newIncidentState } from '../../domain/incident';
import { notificationFacts } from '../../domain/notification';
import { ConfigError, parseConfig } from '../../config/load';

const routing = { routes: DEFAULT_ALERT_ROUTING, fallback: DEFAULT_ROUTE };
const overrides = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-tpl-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
};

describe('templates', () => {
  test('the bundled templates pass the check', () => {
    expect(checkTemplates()).toEqual([]);
  });

  test('an unknown variable is reported with file, line and name; scopes of each/with and ../ are followed', () => {
    const dir = overrides({
      'customer-start.txt.hbs':
        'Hello\nETA: {{eta}}\n{{#each recommendations}}{{this}} {{../provider}} {{nope}}{{/each}}\n{{#if impactLevel}}{{impactLevel}}{{/if}}',
      'team-alert.subject.hbs': '{{join rols ", "}} {{@index}}',
    });
    const problems = checkTemplates(dir);
    expect(problems).toEqual([
      `${join(dir, 'team-alert.subject.hbs')}: line 1: unknown variable "rols"`,
      `${join(dir, 'team-alert.subject.hbs')}: line 1: unknown variable "@index"`,
      `${join(dir, 'customer-start.txt.hbs')}: line 2: unknown variable "eta"`,
      `${join(dir, 'customer-start.txt.hbs')}: line 3: unknown variable "nope"`,
    ]);
  });

  test('a non-existent helper, a partial, a syntax error and Slack blocks that are not JSON are problems too', () => {
    const dir = overrides({
      'team-alert.txt.hbs': '{{shout title}}',
      'team-alert.html.hbs': '{{> footer}}',
      'customer-update.txt.hbs': '{{#if progress}}unclosed',
      'slack-blocks.json.hbs': '{ "text": {{title}} }',
    });
    const problems = checkTemplates(dir).join('\n');
    expect(problems).toContain('team-alert.txt.hbs: line 1: unknown variable "shout"');
    expect(problems).toContain('team-alert.html.hbs: line 1: unknown variable "> partial (not supported)"');
    expect(problems).toMatch(/customer-update\.txt\.hbs: Parse error/);
    expect(problems).toMatch(/slack-blocks\.json\.hbs: .*JSON/);
  });

  test('rendering refuses an unknown variable instead of printing a blank; a missing directory is reported', () => {
    const dir = overrides({ 'customer-resolved.txt.hbs': 'Root cause: {{root_cause}}' });
    expect(() => renderTemplate('customer-resolved.txt', SAMPLE_MODEL, dir)).toThrow(TemplateError);
    expect(() => renderTemplate('customer-resolved.txt', SAMPLE_MODEL, dir)).toThrow(/unknown variable "root_cause"/);
    expect(checkTemplates('/nonexistent/lifeline-templates')).toEqual([
      'notifications.templatesDir: /nonexistent/lifeline-templates does not exist',
    ]);
  });

  test('a customer template printing a fact the incident does not have yet is refused, not sent with a blank', () => {
    const dir = overrides({
      'customer-start.txt.hbs':
        'Acknowledged by {{acknowledgedBy}}.\n{{#if resolvedAt}}Resolved at {{resolvedAt}}{{/if}}',
    });
    expect(() => renderTemplate('customer-start.txt', { ...SAMPLE_MODEL, acknowledgedBy: null }, dir)).toThrow(
      /"acknowledgedBy" has no value for this incident/,
    );
    expect(renderTemplate('customer-start.txt', { ...SAMPLE_MODEL, resolvedAt: null }, dir)).toBe(
      'Acknowledged by dana.\n',
    );
  });

  test('customer notices of an incident with nothing known yet still say something in every field', () => {
    const state = newIncidentState({
      id: 'x-00000000',
      scope: 'x',
      provider: 'x',
      title: 't',
      now: '2026-01-01T00:00:00.000Z',
    });
    const model = { ...SAMPLE_MODEL, ...notificationFacts(state, true) };
    const text = renderTemplate('customer-start.txt', model);
    expect(text).toContain('What is affected: A minor part of the service is affected.');
    expect(text).toContain('Expected resolution: We will share an estimate as soon as we have one.');
    expect(renderTemplate('customer-resolved.txt', model)).toContain(
      'What happened: The cause is still being investigated.',
    );
    expect(renderTemplate('customer-start.html', { ...model, impactDescription: '<b>x</b>' })).toContain(
      '&lt;b&gt;x&lt;/b&gt;',
    );
  });
});

test('the PagerDuty summary is cut to 1,024 characters without splitting a character', () => {
  const long = `${'😀'.repeat(600)} tail`;
  const cut = truncateSummary(long);
  expect(cut.length).toBeLessThanOrEqual(1024);
  expect(cut.endsWith('…')).toBe(true);
  expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut)).toBe(false); // no lone high surrogate
  expect(truncateSummary('short  text\n')).toBe('short text');
});

test('routing per alert kind follows the runbook and picks the configured targets per notification kind', () => {
  expect(channelsForKinds(['error_rate'], routing)).toEqual(['slack', 'pagerduty']);
  expect(channelsForKinds(['latency'], routing)).toEqual(['slack', 'email']);
  expect(channelsForKinds(['quota'], routing)).toEqual(['email']);
  expect(channelsForKinds([], routing)).toEqual(['email']);
  const configured = ['log', 'slack', 'email', 'pagerduty', 'webhook:ops'];
  const routed = channelsForKinds(['error_rate', 'latency'], routing);
  expect(deliveryTargetsFor('page', routed, configured)).toEqual(['log', 'slack', 'email', 'pagerduty']);
  expect(deliveryTargetsFor('status_update', routed, configured)).toEqual(['log', 'slack', 'email']);
  expect(deliveryTargetsFor('acknowledged', [...routed, 'webhook'], configured)).toEqual([
    'log',
    'slack',
    'pagerduty',
    'webhook:ops',
  ]);
});

test('repeat-alert rule: N alerts of a kind within the window escalate; older ones do not count', () => {
  const rule = DEFAULT_ALERT_ROUTING.error_rate!; // 2 within 180 s
  expect(repeatAlertsEscalate([0], rule)).toBe(false);
  expect(repeatAlertsEscalate([0, 179_000], rule)).toBe(true);
  expect(repeatAlertsEscalate([0, 181_000], rule)).toBe(false);
  expect(pruneArrivals([0, 100_000, 200_000], rule, 250_000)).toEqual([100_000, 200_000]);
});

test('impact re-assessment only widens: more services raise the level, the same level keeps the severity', () => {
  const catalog = [
    { id: 'bot', users: 500 },
    { id: 'billing', users: 20_000 },
    { id: 'docs', users: 10 },
  ];
  const current = assessImpact([catalog[0]]);
  expect(current.level).toBe('medium');
  expect(reassessImpact(current, catalog, ['bot'])).toBeNull();
  const worse = reassessImpact(current, catalog, ['billing'])!;
  expect(worse).toMatchObject({
    level: 'critical',
    severity: 'SEV1',
    affectedServices: ['bot', 'billing'],
    users: 20_500,
  });
  expect(worse.reason).toMatch(/^alerts named billing: /);
  const wider = reassessImpact(current, catalog, ['docs'])!;
  expect(wider).toMatchObject({ level: 'high', affectedServices: ['bot', 'docs'] }); // 2 services > 1
  const unknown = reassessImpact(
    assessImpact([
      { id: 'a', users: 0 },
      { id: 'b', users: 0 },
    ]),
    catalog,
    ['zzz'],
  )!;
  expect(unknown).toMatchObject({ level: 'high', users: 0 });
});

describe('notifications config', () => {
  const base = 'providers: [{ id: openai, kind: openai, baseUrl: "sim:openai" }]\n';
  test('defaults: runbook routing, no channels, bundled templates', () => {
    const c = parseConfig(base);
    expect(c.notifications.routing.error_rate).toEqual({
      channels: ['slack', 'pagerduty'],
      escalateAfter: 2,
      withinMs: 180_000,
    });
    expect(c.notifications.default).toEqual({ channels: ['email'], escalateAfter: 5, withinMs: 600_000 });
    expect(c.notifications.webhooks).toEqual([]);
    expect(c.notifications.slack).toBeUndefined();
  });

  test('configured routes are merged over the seed defaults', () => {
    const c = parseConfig(
      `${base}notifications: { routing: { quota: { channels: [slack], escalateAfter: 1, withinMs: 60000 } } }\n`,
    );
    expect(c.notifications.routing.quota).toEqual({ channels: ['slack'], escalateAfter: 1, withinMs: 60_000 });
    expect(c.notifications.routing.error_rate?.channels).toEqual(['slack', 'pagerduty']);
  });

  test('secrets are only named; bad names, inline secrets and unknown channels are reported by path', () => {
    try {
      parseConfig(`${base}notifications:
  slack: { channel: C1, token: xoxb-inline }
  pagerduty: { routingKeyEnv: lower_case }
  webhooks: [{ name: ops, url: "not a url", secretEnv: HOOK_SECRET }]
  routing: { error_rate: { channels: [sms], escalateAfter: 2, withinMs: 1000 }, cpu: { channels: [slack], escalateAfter: 1, withinMs: 1 } }
escalation: { roles: { technical_lead: [{ name: Dana, pagerdutyRoutingKeyEnv: "not-env" }] } }
`);
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const p = (err as ConfigError).problems.join('\n');
      expect(p).toMatch(/notifications\.slack: Unrecognized key: "token"/);
      expect(p).toMatch(/notifications\.pagerduty\.routingKeyEnv: must be an environment variable name/);
      expect(p).toMatch(/notifications\.webhooks\.0\.url: /);
      expect(p).toMatch(/notifications\.routing\.error_rate\.channels\.0: /);
      expect(p).toContain('notifications.routing: Unrecognized key: "cpu"');
      expect(p).toMatch(
        /escalation\.roles\.technical_lead\.0\.pagerdutyRoutingKeyEnv: must be an environment variable name/,
      );
    }
  });
});
