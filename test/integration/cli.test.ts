// The built `lifeline` command as a user runs it: config check and the demo walk-through.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scanWorkerLog } from '../helpers/task-failures';

const bin = resolve(__dirname, '..', '..', 'bin', 'lifeline.js');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LIFELINE_LOG_LEVEL: 'warn', ...env },
    timeout: 170_000,
  });
  scanWorkerLog(`${r.stdout}\n${r.stderr}`, `lifeline ${args[0]} output`); // a failed workflow task fails the test (test/setup)
  return r;
};

test('config check accepts the demo config and lists every problem of a bad one as path: message', () => {
  const ok = run(['config', 'check', '--config', resolve(__dirname, '..', '..', 'config', 'demo.yaml')]);
  expect(ok.status).toBe(0);
  expect(ok.stdout).toMatch(/demo\.yaml: ok — 2 provider\(s\), 1 chain\(s\), 2 service\(s\)/);

  const dir = mkdtempSync(join(tmpdir(), 'lifeline-cli-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    'providers:\n  - { id: openai, kind: gpt, baseUrl: https://x }\nchains:\n  - { id: c, providers: [openai, nope], weights: { openai: 50 } }\n',
  );
  const res = run(['config', 'check', '--config', bad]);
  expect(res.status).toBe(2);
  expect(res.stderr).toContain('providers.0.kind:');
  expect(res.stderr).toContain('chains.0.providers.1: unknown provider "nope"');
  expect(res.stderr).toContain('chains.0.weights: weights must sum to 100 (got 50)');
});

test('demo walks an outage through every phase and prints the postmortem', () => {
  const res = run(['demo']);
  expect(res.stderr.slice(-2000)).not.toMatch(/lifeline: /); // no CLI error
  expect(res.status).toBe(0);
  const phases = [
    '[detected]',
    '[assessing]',
    '[escalating]',
    '[diagnosing]',
    '[recovering]',
    '[monitoring]',
    '[reporting]',
    '[resolved]',
  ];
  for (const p of phases) expect(res.stdout).toContain(p);
  expect(res.stdout).toMatch(/route chat during the incident: \{"anthropic":100\}/);
  expect(res.stdout).toMatch(/route chat after: \{"openai":100\}/);
  expect(res.stdout).toContain('# Postmortem: openai failing health probes');
  expect(res.stdout).toContain('**provider_outage**');
});
