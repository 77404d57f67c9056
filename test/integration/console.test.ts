// The incident console in a real browser (Debian chromium via playwright-core) on the real stack: sign in
// with an operate token, find a declared incident in the list, open it, resolve it by clicking and see the
// page change; a read token sees no buttons; no CSP violation, no script from an alert's title, and no
// serious or critical axe-core finding on the list and detail pages.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { axeViolations, launchChromium, seriousViolations } from '../helpers/browser';

const TITLE = 'Declared: <img src=x onerror="document.title=\'pwned\'"> OpenAI 5xx';

let stack: Stack;
let browser: Browser;
let id: string;
beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  const res = await stack.http('POST', '/v1/incidents', {
    token: TOKENS.operator,
    body: { provider: 'openai', title: TITLE, severity: 'SEV2' },
  });
  expect(res.status).toBe(201);
  id = res.body.id;
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A tab that records CSP violations and every URL it requests (the token must be in none). */
async function tab(context: BrowserContext) {
  const page = await context.newPage();
  const cspErrors: string[] = [];
  const urls: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  page.on('request', (r) => urls.push(r.url()));
  return { page, cspErrors, urls };
}

async function signIn(page: Page, token: string) {
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('#token', token);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#content .signed-in');
  expect(await page.isVisible('#login')).toBe(false);
}

test('an operator signs in, opens the incident, resolves it by clicking and sees it resolved', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, cspErrors, urls } = await tab(context);
  try {
    await page.goto(`${stack.apiUrl}/console`);
    await signIn(page, TOKENS.operator);
    expect(await page.textContent('#who')).toContain('oncall');
    // The declared incident shows up in the open list (visibility may lag: the list refreshes itself).
    const row = page.locator(`#incident-list tr[data-incident="${id}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect((await row.locator('td').nth(1).textContent())?.trim()).toBe(TITLE); // shown as text, not markup
    // Live panel: the chain's weights and the providers' health, fetched by the script.
    await page.waitForSelector('#routes tr[data-chain="chat"]');
    await page.waitForSelector('#providers tr[data-provider="openai"] td.health-healthy');
    expect(await page.textContent('#routes tr[data-chain="chat"]')).toContain('openai 100 %');

    await row.locator('a').click();
    await page.waitForURL(`**/console/incidents/${id}`);
    await page.waitForSelector('#incident-status.status-open');
    expect(await page.textContent('#incident-title')).toBe(TITLE);
    expect(
      await page
        .locator('button[data-action]')
        .evaluateAll((bs) => bs.map((b) => (b as unknown as { dataset: { action: string } }).dataset.action)),
    ).toEqual(['acknowledge', 'escalate', 'resolve']);
    // The chart is the API's SVG, fetched with the token and shown as an image.
    await page.waitForFunction(() => {
      const img = (globalThis as any).document.getElementById('timeline-chart');
      return img?.complete && img.naturalWidth > 0;
    });

    await page.click('button[data-action="acknowledge"]');
    await page.waitForSelector('#action-status:text("Acknowledged.")');
    await page.waitForSelector('button[data-action="acknowledge"]', { state: 'detached' });
    expect(await page.textContent('#timeline')).toContain('acknowledged by oncall');

    // What others do shows up without a reload: a note through the API, a weight change on the chain.
    expect(
      (
        await stack.http('POST', `/v1/incidents/${id}/notes`, {
          token: TOKENS.operator,
          body: { text: 'vendor ticket 4711 opened', by: 'sam' },
        })
      ).status,
    ).toBe(200);
    await page.waitForSelector('#timeline:has-text("vendor ticket 4711 opened")');
    expect(
      (
        await stack.http('POST', '/v1/routes/chat/weights', {
          token: TOKENS.operator,
          body: { weights: { openai: 40, anthropic: 60 } },
        })
      ).status,
    ).toBe(202);
    await page.waitForSelector('#routes tr[data-chain="chat"]:has-text("anthropic 60 %")', { timeout: 30_000 });

    await page.fill('#note-text', 'looking at the 5xx rate');
    await page.click('#note-form button[type=submit]');
    await page.waitForSelector('#action-status:text("Note added.")');
    expect(await page.textContent('#timeline')).toContain('looking at the 5xx rate');

    await page.click('button[data-action="resolve"]');
    await page.waitForSelector('#incident-status.status-resolved');
    await page.waitForSelector('#action-status:text("Resolved.")');
    expect(await page.locator('button[data-action]').count()).toBe(0);
    expect(await page.textContent('#timeline')).toContain('resolve requested by oncall');
    expect((await stack.http('GET', `/v1/incidents/${id}`, { token: TOKENS.reader })).body.status).toBe('resolved');

    await page.click('#report-details summary');
    await page.waitForFunction(
      () =>
        /#|Incident/.test((globalThis as any).document.getElementById('report-text').textContent) &&
        !/Loading/.test((globalThis as any).document.getElementById('report-text').textContent),
    );

    expect(await page.title()).not.toBe('pwned');
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(cspErrors).toEqual([]);
    expect(urls.filter((u) => u.includes(TOKENS.operator))).toEqual([]);
    expect(await context.cookies()).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a read token sees the incident but no buttons, and is told why', async () => {
  const context = await browser.newContext();
  const { page, cspErrors } = await tab(context);
  try {
    await page.goto(`${stack.apiUrl}/console/incidents/${id}`);
    await signIn(page, TOKENS.reader);
    await page.waitForSelector('#incident-title');
    expect(await page.textContent('#read-only')).toContain('operate');
    expect(await page.locator('button[data-action], #note-form').count()).toBe(0);
    expect(cspErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a wrong token is refused at sign-in', async () => {
  const context = await browser.newContext();
  const { page } = await tab(context);
  try {
    await page.goto(`${stack.apiUrl}/console`);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#token', 'not-a-token');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#login-error:text("not accepted")');
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);
  } finally {
    await context.close();
  }
});

test('axe-core finds nothing serious or critical on the list and detail pages', async () => {
  // axe is injected inline, so this context bypasses the CSP the tests above check.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  try {
    await page.goto(`${stack.apiUrl}/console?status=all`);
    await signIn(page, TOKENS.operator);
    await page.waitForSelector(`#incident-list tr[data-incident="${id}"]`);
    await page.waitForSelector('#providers tr[data-provider="openai"]');
    expect(seriousViolations(await axeViolations(page))).toEqual([]);
    await page.goto(`${stack.apiUrl}/console/incidents/${id}`);
    await page.waitForSelector('#incident-title');
    await page.waitForSelector('#routes tr[data-chain="chat"]');
    expect(seriousViolations(await axeViolations(page))).toEqual([]);
  } finally {
    await context.close();
  }
});
