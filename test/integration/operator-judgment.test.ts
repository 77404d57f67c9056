// Operators and automation on the real stack: a declared incident whose checks all pass holds traffic and
// says how to move it; the postmortem lists every route change of the window with who and why (the
// operator's failover and failback included) and knows the route is back; an operator shift into
// emergency is refused without force; a provider carrying no traffic pages at the lowest severity; the
// CLI's resolve prints the resolved state.
import { main } from '../../cli/index';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

const op = { token: TOKENS.operator };
const route = async () => (await stack.http('GET', '/v1/routes/chat', op)).body;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const o = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => (stdout.push(String(c)), true));
  const e = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((c: string | Uint8Array) => (stderr.push(String(c)), true));
  try {
    const code = await main(['node', 'lifeline', '--api', stack.apiUrl, '--token', TOKENS.operator, ...args]);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

test('declared incident, operator shifts in the report, emergency refused without force, severity by share', async () => {
  // Declared while openai is healthy: every check passes, so traffic stays where it is.
  const declared = await stack.http('POST', '/v1/incidents', {
    ...op,
    body: { provider: 'openai', title: 'Answers look truncated', severity: 'SEV3' },
  });
  expect(declared.status).toBe(201);
  const id: string = declared.body.id;
  const monitoring = await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'monitoring',
    'declared incident monitoring',
  );
  expect(monitoring.body.timeline.find((e: { type: string }) => e.type === 'failover_held')?.message).toMatch(
    /every diagnostic passed, so traffic stays on openai; to move it anyway: lifeline failover/,
  );
  expect((await route()).weights).toEqual({ openai: 100 });

  // The operator moves traffic by hand, then brings it back.
  expect(
    (await stack.http('POST', '/v1/routes/chat/failover', { ...op, body: { from: 'openai', to: 'anthropic' } })).status,
  ).toBe(202);
  await waitFor(route, (r) => r.weights?.anthropic === 100, 'traffic on anthropic');
  await waitFor(
    () => stack.http('GET', '/v1/routes/chat/shift', op),
    (r) => r.body?.status === 'COMPLETED',
    'the failover shift to finish',
  );
  expect(
    (await stack.http('POST', '/v1/routes/chat/failback', { ...op, body: { healthyForMs: 0, stepDelayMs: 0 } })).status,
  ).toBe(202);
  await waitFor(route, (r) => r.weights?.openai === 100 && r.mode === 'normal', 'traffic back on openai', 60_000);
  await waitFor(
    () => stack.http('GET', '/v1/routes/chat/shift', op),
    (r) => r.body?.status === 'COMPLETED',
    'the failback shift to finish',
  );

  const draft = await stack.http('GET', `/v1/incidents/${id}/report`, { ...op, accept: 'text/markdown' });
  expect(draft.text).toContain('**DRAFT**');
  expect(draft.text).toMatch(
    /\| `chat` \| openai 100% → anthropic 100% \| degraded \| oncall \| immediate failover from openai requested by oncall: openai → anthropic \|/,
  );
  expect(draft.text).toMatch(
    /\| `chat` \| [^|]+ → openai 100% \| normal \| oncall \| failback requested by oncall: failback step 5\/5 \|/,
  );
  expect(draft.text).toContain('Route of `chat` after the last change: openai 100% (normal).');
  expect(draft.text).not.toContain('Fail chain chat back');
  expect(draft.text).toMatch(/\| Detection \(fault → detected\) \| < 30 s \| [^|]+ \| n\/a \|/);
  expect(draft.text).toMatch(/\| Time to detect \(fault → detected\) \| n\/a \(declared\) \|/);

  // anthropic fails while it carries none of the traffic: its incident pages at the lowest severity.
  stack.endpoints.simulator!.setFault('anthropic', { mode: 'outage' });
  const other = await waitFor(
    () => stack.http('GET', '/v1/incidents?status=open&provider=anthropic', op),
    (r) => r.body.incidents?.length === 1,
    'an anthropic incident',
  );
  const otherId: string = other.body.incidents[0].id;
  const assessed = await waitFor(
    () => stack.http('GET', `/v1/incidents/${otherId}`, op),
    (r) => !!r.body.impact,
    'anthropic impact',
  );
  expect(assessed.body.severity).toBe('SEV4');
  expect(assessed.body.impact.reason).toContain('no traffic share on support-bot');

  // Moving traffic off openai now would leave chat with no healthy provider: refused, nothing changes.
  const refused = await cli('failover', 'chat', '--from', 'openai');
  expect(refused.code).toBe(4);
  expect(refused.stderr).toMatch(
    /refused: every other provider of chat is unhealthy \(anthropic\): moving traffic off openai would put the chain in emergency mode\. Nothing was changed; repeat with "force": true \(CLI: --force\)/,
  );
  expect(await route()).toMatchObject({ weights: { openai: 100 }, mode: 'normal' });
  // (anthropic's own incident may hold the chain's shift lock for a moment: 4 = "another shift is running".)
  const forced = await waitFor(
    () => cli('failover', 'chat', '--from', 'openai', '--force'),
    (r) => r.code !== 4,
    'the forced failover to start',
  );
  expect(forced.code).toBe(0);
  await waitFor(route, (r) => r.mode === 'emergency', 'emergency mode when forced');
  await waitFor(
    () => stack.http('GET', '/v1/routes/chat/shift', op),
    (r) => r.body?.status === 'COMPLETED',
    'the forced shift to finish',
  );

  // Resolve from the CLI: it prints the state after the change.
  const resolved = await cli('resolve', id, '--note', 'truncation was a client bug');
  expect(resolved).toMatchObject({ code: 0, stdout: `${id}: resolved\n` });
  stack.endpoints.simulator!.setFault('anthropic', { mode: 'healthy' });
  await waitFor(
    () => stack.http('GET', `/v1/incidents/${otherId}`, op),
    (r) => r.body.status === 'resolved',
    'anthropic incident resolved',
    60_000,
  );
});
