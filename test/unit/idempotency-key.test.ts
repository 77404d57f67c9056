// The Idempotency-Key header on every operator action, without a server: a malformed key is a 400 naming
// the header before anything reaches Temporal (the recording client sees no call), on every operator POST;
// and the key derived from Slack's IDs.
import { slackActionKey } from '../../api/slack/app';
import { HARNESS_TOKENS, startHarness, type Harness } from '../helpers/api-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const ACTIONS: [string, object][] = [
  ['/v1/incidents/openai-0123abcd/acknowledge', {}],
  ['/v1/incidents/openai-0123abcd/escalate', {}],
  ['/v1/incidents/openai-0123abcd/resolve', {}],
  ['/v1/incidents/openai-0123abcd/notes', { text: 'looking' }],
  ['/v1/routes/chat/failover', { from: 'openai' }],
  ['/v1/routes/chat/weights', { weights: { openai: 50, anthropic: 50 } }],
  ['/v1/routes/chat/failback', {}],
];

test.each(ACTIONS)(
  '%s: a malformed Idempotency-Key is a 400 naming the header, and nothing reaches Temporal',
  async (path, body) => {
    for (const key of ['', ' ', 'two words', 'k'.repeat(256), '"unbalanced', 'tab\tkey', 'naïve', 'a,b', '""']) {
      const before = h.calls.length;
      const res = await h.send({
        method: 'POST',
        path,
        token: HARNESS_TOKENS.operate,
        body: JSON.stringify(body),
        contentType: 'application/json',
        headers: { 'idempotency-key': key },
      });
      expect([key, res.status]).toEqual([key, 400]);
      expect(res.json().issues).toEqual([
        { path: 'headers.idempotency-key', message: expect.stringContaining('Idempotency-Key must be') },
      ]);
      expect(h.calls.length).toBe(before);
    }
  },
);

test('keys of the allowed alphabet, bare or quoted, pass validation (up to 255 characters)', async () => {
  for (const key of [
    '8e03978e-40d5-43e8-bc93-6894a57f9324',
    '"8e03978e-40d5-43e8-bc93-6894a57f9324"',
    'a.b_c:d~e+f/g=h-i',
    'k'.repeat(255),
  ]) {
    const res = await h.send({
      method: 'POST',
      path: '/v1/routes/chat/weights',
      token: HARNESS_TOKENS.operate,
      body: JSON.stringify({ weights: { openai: 50 } }),
      contentType: 'application/json',
      headers: { 'idempotency-key': key },
    });
    // Past the header: the body's weights (not summing to 100) are what is refused now.
    expect([key, res.status, res.json().issues?.[0]?.path]).toEqual([key, 400, 'body.weights']);
  }
});

test("Slack keys come from Slack's own IDs, and are absent when Slack sent none", () => {
  expect(slackActionKey(['cmd', '1234.5678.abcd'])).toBe('slack:cmd:1234.5678.abcd');
  expect(slackActionKey(['lifeline_escalate', '1700000000.000100', '1234.5678.abcd'])).toBe(
    'slack:lifeline_escalate:1700000000.000100:1234.5678.abcd',
  );
  expect(slackActionKey(['cmd', undefined])).toBeUndefined();
  expect(slackActionKey(['cmd', 'x'.repeat(1000)])!.length).toBe(300);
});
