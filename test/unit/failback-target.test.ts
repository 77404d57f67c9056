// Where a failback may go: the configured weights without providers whose breaker is open.
import { failbackTarget, gainsOnOpen, interpolateWeights } from '../../domain/shift';
import { buildReportModel } from '../../domain/report';
import { newIncidentState } from '../../domain/incident';

const chain = ['openai', 'anthropic', 'bedrock'];

test('an open provider keeps nothing: its configured share goes to the next healthy one in chain order', () => {
  expect(failbackTarget({ openai: 60, anthropic: 40 }, chain, [])).toEqual({ openai: 60, anthropic: 40 });
  expect(failbackTarget({ openai: 60, anthropic: 40 }, chain, ['anthropic'])).toEqual({ openai: 60, bedrock: 40 });
  expect(failbackTarget({ openai: 60, anthropic: 40 }, chain, ['anthropic', 'bedrock'])).toEqual({ openai: 100 });
  expect(failbackTarget({ openai: 100 }, chain, ['openai', 'anthropic', 'bedrock'])).toBeNull();
});

test('no failback step toward that target gives weight to an open provider', () => {
  const from = { bedrock: 70, anthropic: 30 };
  const target = failbackTarget({ openai: 60, anthropic: 40 }, chain, ['anthropic'])!;
  for (const pct of [10, 25, 50, 75, 100])
    expect(gainsOnOpen(from, interpolateWeights(from, target, pct), ['anthropic'])).toEqual([]);
  expect(gainsOnOpen({ openai: 10, bedrock: 90 }, { openai: 25, bedrock: 75 }, ['openai'])).toEqual(['openai']);
});

test('the report model carries flaps and failback outcomes', () => {
  const s = newIncidentState({
    id: 'openai-1',
    scope: 'openai',
    provider: 'openai',
    title: 't',
    now: '2026-01-01T00:00:00.000Z',
  });
  s.flaps = 2;
  s.failbacks = [{ chain: 'chat', shiftId: 'x', outcome: 'detached' }];
  const m = buildReportModel(s);
  expect(m.flaps).toBe(2);
  expect(m.failbacks).toEqual([{ chain: 'chat', shiftId: 'x', outcome: 'detached' }]);
  expect(m.summary).toContain('failed again 2 time(s)');
  expect(m.summary).toContain('Failback: chat detached.');
});
