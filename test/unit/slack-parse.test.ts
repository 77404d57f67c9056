import { HELP_TEXT, parseSlackCommand, SLACK_VERBS } from '../../api/slack/parse';

test.each([
  [
    'declare openai sev1 Chat down everywhere',
    { verb: 'declare', provider: 'openai', severity: 'SEV1', title: 'Chat down everywhere' },
  ],
  ['declare anthropic 529 storm', { verb: 'declare', provider: 'anthropic', title: '529 storm' }],
  ['list', { verb: 'list' }],
  ['status', { verb: 'status' }],
  ['status openai-1a2b3c4d', { verb: 'status', id: 'openai-1a2b3c4d' }],
  ['ack openai-1a2b3c4d', { verb: 'ack', id: 'openai-1a2b3c4d' }],
  ['escalate openai-1a2b3c4d', { verb: 'escalate', id: 'openai-1a2b3c4d' }],
  ['escalate openai-1a2b3c4d 2', { verb: 'escalate', id: 'openai-1a2b3c4d', level: 2 }],
  ['resolve openai-1a2b3c4d provider fixed it', { verb: 'resolve', id: 'openai-1a2b3c4d', note: 'provider fixed it' }],
  ['note openai-1a2b3c4d seeing 5% errors', { verb: 'note', id: 'openai-1a2b3c4d', text: 'seeing 5% errors' }],
  ['failover chat openai', { verb: 'failover', chain: 'chat', from: 'openai', mode: 'immediate' }],
  [
    'failover chat openai anthropic canary',
    { verb: 'failover', chain: 'chat', from: 'openai', to: 'anthropic', mode: 'canary' },
  ],
  ['failback chat', { verb: 'failback', chain: 'chat' }],
  ['report openai-1a2b3c4d', { verb: 'report', id: 'openai-1a2b3c4d' }],
  ['', { verb: 'help' }],
  ['  HELP ', { verb: 'help' }],
])('%j parses', (text, command) => {
  expect(parseSlackCommand(text)).toEqual({ ok: true, command });
});

test.each([
  ['declare', 'Which provider?'],
  ['declare openai', 'Give the incident a title.'],
  ['ack', 'Which incident?'],
  ['escalate x 7', '"7" is not a level'],
  ['note x', 'What should the note say?'],
  ['failover chat', 'Name the chain'],
  ['failover chat openai a b', 'Unexpected "b"'],
  ['failback', 'Which chain?'],
  ['frobnicate', 'Unknown command "frobnicate"'],
])('%j is a usage error', (text, message) => {
  const r = parseSlackCommand(text);
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.error).toContain(message);
});

test('help lists every verb', () => {
  for (const v of SLACK_VERBS) expect(HELP_TEXT).toContain(`/incident ${v}`);
});
