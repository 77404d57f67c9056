// One mail server (`smtp:`) for everything lifeline sends; the server keys that used to live under
// `notifications.email` are still accepted, moved to `smtp:`, with a deprecation warning.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, configDeprecations, parseConfig } from '../../config/load';
import { createStatusMailer } from '../../status/mailer';

const base = `providers: [{ id: openai, kind: openai, baseUrl: "http://127.0.0.1:1" }]\n`;
const oldStyle = `${base}notifications:
  email: { host: mail.test, port: 2525, userEnv: SMTP_USER, from: "lifeline <alerts@acme.test>", customers: [c@acme.test] }
`;

test('the smtp: section serves the email channel, which may send as its own sender', () => {
  const c = parseConfig(`${base}smtp: { host: mail.test, from: status@acme.test }
notifications: { email: { from: "lifeline <alerts@acme.test>", customers: [c@acme.test] } }
`);
  expect(c.notifications.email).toEqual({
    host: 'mail.test',
    port: 587,
    secure: false,
    from: 'lifeline <alerts@acme.test>',
    customers: ['c@acme.test'],
    timeoutMs: 10_000,
  });
  expect(
    parseConfig(`${base}smtp: { host: mail.test, from: status@acme.test }\nnotifications: { email: {} }\n`)
      .notifications.email?.from,
  ).toBe('status@acme.test');
  expect(configDeprecations(c)).toEqual([]);
});

test('email notifications without an smtp: section are a config error naming the fix', () => {
  expect(() => parseConfig(`${base}notifications: { email: { customers: [c@acme.test] } }\n`)).toThrow(
    /notifications\.email: email notifications need the mail server: add the smtp: section/,
  );
});

test('the old notifications.email server keys still work, become smtp:, and warn', () => {
  const c = parseConfig(oldStyle);
  expect(c.smtp).toEqual({
    host: 'mail.test',
    port: 2525,
    secure: false,
    userEnv: 'SMTP_USER',
    from: 'lifeline <alerts@acme.test>',
  });
  expect(c.notifications.email).toMatchObject({
    host: 'mail.test',
    port: 2525,
    userEnv: 'SMTP_USER',
    customers: ['c@acme.test'],
  });
  expect(configDeprecations(c)).toEqual([
    expect.stringMatching(
      /^notifications\.email: host, port, userEnv are deprecated there — the mail server is set once, in the top-level smtp: section/,
    ),
  ]);
  // As before, a config with only the email channel offers no status-page subscriptions.
  expect(c.statusPage.subscriptions).toBe(false);
  expect(createStatusMailer(c)).toBeNull();
});

test('old keys beside an smtp: section must name the same server', () => {
  const same = parseConfig(
    `${oldStyle}smtp: { host: mail.test, port: 2525, userEnv: SMTP_USER, from: status@acme.test }\n`,
  );
  expect(same.notifications.email?.from).toBe('lifeline <alerts@acme.test>');
  expect(same.statusPage.subscriptions).toBe(true);
  expect(configDeprecations(same)).toHaveLength(1);
  const err = (() => {
    try {
      parseConfig(`${oldStyle}smtp: { host: other.test, port: 2525, from: status@acme.test }\n`);
    } catch (e) {
      return e as ConfigError;
    }
    throw new Error('expected a ConfigError');
  })();
  expect(err.problems).toEqual([
    'notifications.email.host: "mail.test" differs from smtp.host ("other.test"): lifeline sends all mail through one server; set it once, in smtp:',
    'notifications.email.userEnv: "SMTP_USER" differs from smtp.userEnv (undefined): lifeline sends all mail through one server; set it once, in smtp:',
  ]);
});

test('`lifeline config check` prints the deprecation and still passes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-smtp-'));
  const file = join(dir, 'lifeline.yaml');
  writeFileSync(file, oldStyle);
  const { main } = await import('../../cli/index');
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    expect(await main(['node', 'lifeline', '--config', file, 'config', 'check'])).toBe(0);
  } finally {
    spy.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
  const out = written.join('');
  expect(out).toMatch(/^warning: notifications\.email: host, port, userEnv are deprecated there/m);
  expect(out).toContain(`${file}: ok`);
  expect(out).toMatch(/warning: smtp\.userEnv: SMTP_USER is not set/);
});
