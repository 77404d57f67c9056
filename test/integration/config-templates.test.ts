// `lifeline config check` as a user runs it: a template using an unknown variable fails the check (exit 2,
// naming file, line and variable); unset notification secrets are warnings.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve(__dirname, '..', '..', 'bin', 'lifeline.js');
const run = (args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LIFELINE_LOG_LEVEL: 'warn', SLACK_BOT_TOKEN: '' },
    timeout: 60_000,
  });

test('config check fails on a template with an unknown variable and warns about unset channel secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-cfg-'));
  const templates = join(dir, 'templates');
  mkdirSync(templates);
  const config = join(dir, 'lifeline.yaml');
  writeFileSync(
    config,
    `
providers: [{ id: openai, kind: openai, baseUrl: "sim:openai" }]
notifications:
  templatesDir: ${templates}
  slack: { channel: C0INCIDENTS }
`,
  );
  const ok = run(['config', 'check', '--config', config]);
  expect(ok.status).toBe(0);
  expect(ok.stdout).toContain('warning: notifications.slack.tokenEnv: SLACK_BOT_TOKEN is not set');

  writeFileSync(join(templates, 'customer-update.txt.hbs'), 'Progress: {{progress}}\nNew ETA: {{newEstimatedTime}}\n');
  const bad = run(['config', 'check', '--config', config]);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain(
    `notifications.templates: ${join(templates, 'customer-update.txt.hbs')}: line 2: unknown variable "newEstimatedTime"`,
  );
});
