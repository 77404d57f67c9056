// Writes docs/console.png and docs/postmortem-chart.png from a demo run: the bundled demo config on an
// embedded Temporal, an outage injected into the simulated OpenAI, the incident seen in the console
// mid-failover (chromium via playwright-core), then, once it is resolved, its postmortem chart.
// Run: npm run screenshots   (needs chromium: /usr/bin/chromium or LIFELINE_CHROMIUM)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { demoConfigPath, loadConfig } from '../config/load';
import type { LifelineConfig } from '../config/schema';
import { startServices } from '../cli/runtime';
import { createLogger } from '../worker/logger';

const DOCS = resolve(__dirname, '..', '..', 'docs');
const CHROMIUM = process.env.LIFELINE_CHROMIUM ?? '/usr/bin/chromium';

async function main() {
  const base = loadConfig(demoConfigPath());
  const token = randomBytes(12).toString('hex');
  process.env.LIFELINE_OPERATOR_TOKEN = token;
  process.env.LIFELINE_INGEST_TOKEN = randomBytes(12).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeline-screenshots-'));
  const config: LifelineConfig = {
    ...base,
    dataDir,
    server: { ...base.server, port: 0 },
    temporal: { ...base.temporal, address: 'embedded', port: 0, uiPort: false },
  };
  const services = await startServices({
    config,
    logger: createLogger({ level: 'warn' }),
    worker: true,
    api: true,
    progress: (l) => console.log(`  · ${l}`),
  });
  const api = services.apiUrl!;
  const get = async <T>(path: string): Promise<T | null> => {
    const res = await fetch(api + path, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    return res.ok ? ((await res.json()) as T) : null;
  };
  /** Polls until `pick` returns something (the demo's pace: a failover takes a few seconds). */
  async function until<T>(what: string, pick: () => Promise<T | null | undefined | false>, ms = 180_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await pick();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await delay(500);
    }
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    console.log('▶ outage in the simulated OpenAI');
    services.endpoints.simulator!.setFault('openai', { mode: 'outage' });
    const id = await until(
      'the incident',
      async () => (await get<{ incidents: { id: string }[] }>('/v1/incidents?status=open'))?.incidents[0]?.id,
    );
    await until(
      'the failover',
      async () => (await get<{ phase: string }>(`/v1/incidents/${id}`))?.phase === 'monitoring',
    );
    await fetch(`${api}/v1/incidents/${id}/acknowledge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });

    const page = await browser.newPage({ viewport: { width: 1400, height: 1750 }, deviceScaleFactor: 1 });
    await page.goto(`${api}/console/incidents/${id}`);
    await page.fill('#token', token);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#incident-title');
    await page.waitForSelector('#routes tr[data-chain="chat"]');
    await page.waitForSelector('#providers tr[data-provider="openai"] td.health-unhealthy');
    await page.waitForFunction('document.getElementById("timeline-chart").naturalWidth > 0');
    await page.screenshot({ path: join(DOCS, 'console.png') });
    console.log('✓ docs/console.png');

    console.log('▶ OpenAI healthy again: waiting for failback and the postmortem');
    services.endpoints.simulator!.setFault('openai', { mode: 'healthy' });
    await until(
      'the resolution',
      async () => (await get<{ status: string }>(`/v1/incidents/${id}`))?.status === 'resolved',
    );
    const chart = await browser.newPage({
      viewport: { width: 1000, height: 600 },
      deviceScaleFactor: 2,
      extraHTTPHeaders: { authorization: `Bearer ${token}` },
    });
    await chart.goto(`${api}/v1/incidents/${id}/timeline.svg`);
    await chart
      .locator('svg')
      .first()
      .screenshot({ path: join(DOCS, 'postmortem-chart.png') });
    console.log('✓ docs/postmortem-chart.png');
  } finally {
    await browser.close();
    await services.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
