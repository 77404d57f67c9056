// The public status page in a real browser (Debian chromium via playwright-core) before, during and
// after an incident on the real stack, plus the JSON a Statuspage consumer reads.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startStack, type Stack } from '../helpers/stack';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp';
import { SubscriberStore } from '../../status/subscribers';
import { waitFor } from '../helpers/wait';
import { launchChromium } from '../helpers/browser';

const EXTRA = `
statusPage:
  title: Acme AI status
  componentNames: { openai: OpenAI, anthropic: Anthropic, support-bot: Support bot }
  maintenance: [{ id: m1, title: Anthropic key rotation, components: [anthropic], start: "2026-01-01T00:00:00Z", end: "2099-01-01T00:00:00Z" }]
`;

let stack: Stack;
let browser: Browser;
let page: Page;
let smtp: SmtpSink;
beforeAll(async () => {
  smtp = await startSmtpSink();
  stack = await startStack({
    extraYaml: `${EXTRA}smtp: { host: 127.0.0.1, port: ${smtp.port}, from: status@acme.test }\n`,
  });
  // A confirmed subscriber, as if they had followed the confirmation link.
  const store = SubscriberStore.inDataDir(stack.dataDir);
  const { tokens } = await store.subscribe('reader@acme.test', []);
  await store.confirm(tokens!.confirm);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a phone
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await smtp?.close();
});

async function read(p: Page) {
  await p.goto(`${stack.apiUrl}/status`);
  const component = async (id: string) => (await p.locator(`[data-component="${id}"] .status`).textContent())?.trim();
  return {
    banner: (await p.locator('#overall').textContent())?.trim(),
    openai: await component('openai'),
    anthropic: await component('anthropic'),
    bot: await component('support-bot'),
    active: await p.locator('#active-incidents .incident h3').allTextContents(),
    history: await p.locator('#history article.incident h4').allTextContents(),
    updates: await p.locator('#active-incidents .update b').allTextContents(),
  };
}

const shot = async (name: string) => {
  const dir = join(__dirname, '..', '..', '.data', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
};

test('a reader sees all good, then the outage and its updates, then the resolution in history', async () => {
  const before = await read(page);
  expect(before).toMatchObject({
    banner: 'Service Under Maintenance',
    openai: 'Operational',
    anthropic: 'Under maintenance',
    bot: 'Operational',
    active: [],
  });
  expect(await page.locator('#maintenance').textContent()).toContain('Anthropic key rotation');
  // Readable on a phone: nothing wider than the viewport.
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot('before');

  stack.endpoints.simulator!.setFault('openai', { mode: 'outage' });
  // Wait for the incident to reach "monitoring" (traffic moved), the state a reader should see mid-outage.
  const during = await waitFor(
    () => read(page),
    (r) => r.active.length === 1 && r.updates[0] === 'monitoring',
    'the incident on the page',
    60_000,
    250,
  );
  expect(during.bot).toBe('Degraded performance');
  expect(during.banner).toBe('Major System Outage');
  expect(during.openai).toBe('Major outage');
  expect(during.active[0]).toBe('Elevated errors from OpenAI'); // a human title, not the probe's error string
  expect(await page.locator('main').textContent()).not.toMatch(/HTTP 503|server_error/);
  expect(during.updates).toEqual(['monitoring', 'identified', 'investigating']);
  await shot('during');

  stack.endpoints.simulator!.setFault('openai', { mode: 'healthy' });
  const after = await waitFor(
    () => read(page),
    (r) => r.active.length === 0 && r.history.length === 1,
    'the incident in history',
    60_000,
    250,
  );
  expect(after).toMatchObject({ openai: 'Operational', bot: 'Operational', banner: 'Service Under Maintenance' });
  expect(await page.locator('#history .update b').first().textContent()).toBe('resolved');
  await shot('after');

  // The subscriber heard each public status once, by email.
  const mails = await waitFor(
    async () => smtp.mails,
    (m) => m.length >= 4,
    'four status emails',
  );
  expect(mails.map((m) => m.header('Subject')?.replace(/\].*/, ']'))).toEqual([
    '[investigating]',
    '[identified]',
    '[monitoring]',
    '[resolved]',
  ]);
  expect(mails.every((m) => m.to[0] === 'reader@acme.test' && /unsubscribe\?token=/.test(m.decoded))).toBe(true);
  expect(mails[0].header('Subject')).toBe('[investigating] Elevated errors from OpenAI');
});

test('the sign-up form works with JavaScript switched off', async () => {
  const noJs = await browser.newPage({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  try {
    await noJs.goto(`${stack.apiUrl}/status`);
    await noJs.fill('#subscribe input[type=email]', 'no-js@acme.test');
    await Promise.all([noJs.waitForLoadState('load'), noJs.click('#subscribe button[type=submit]')]);
    await noJs.waitForSelector('h1');
    expect(await noJs.locator('h1').textContent()).toBe('Check your inbox');
  } finally {
    await noJs.close();
  }
});

test('the Statuspage JSON endpoints answer with Statuspage shapes', async () => {
  const summary = await stack.http('GET', '/api/v2/summary.json');
  expect(summary.status).toBe(200);
  expect(Object.keys(summary.body).sort()).toEqual([
    'components',
    'incidents',
    'page',
    'scheduled_maintenances',
    'status',
  ]);
  const incidents = await stack.http('GET', '/api/v2/incidents.json');
  expect(incidents.body.incidents[0]).toMatchObject({
    status: 'resolved',
    impact: 'critical',
    incident_updates: expect.any(Array),
  });
  expect((await stack.http('GET', '/api/v2/incidents/unresolved.json')).body.incidents).toEqual([]);
  expect((await stack.http('GET', '/api/v2/components.json')).body.components.map((c: { id: string }) => c.id)).toEqual(
    ['support-bot', 'openai', 'anthropic'],
  );
  expect((await stack.http('GET', '/api/v2/status.json')).body.status).toEqual({
    indicator: 'maintenance',
    description: 'Service Under Maintenance',
  });
});
