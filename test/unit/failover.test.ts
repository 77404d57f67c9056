import { compactWeights, planImmediateFailover, validateWeights } from '../../domain/failover';

describe('validateWeights', () => {
  test('accepts a distribution over chain members summing to 100', () => {
    expect(validateWeights({ openai: 70, anthropic: 30 }, ['openai', 'anthropic'])).toEqual([]);
  });
  test('names every problem', () => {
    const issues = validateWeights({ openai: 70, bedrock: 20, anthropic: 5.5 }, ['openai', 'anthropic']);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'weights.bedrock', message: expect.stringContaining('not in the chain') },
        { path: 'weights.anthropic', message: expect.stringContaining('integer') },
        { path: 'weights', message: 'weights must sum to 100 (got 95.5)' },
      ]),
    );
  });
});

describe('planImmediateFailover', () => {
  const chain = ['openai', 'anthropic', 'bedrock'];
  test('moves the failed share to the next provider in chain order', () => {
    expect(planImmediateFailover({ openai: 100 }, chain, 'openai')).toEqual({ anthropic: 100 });
    expect(planImmediateFailover({ openai: 70, anthropic: 30 }, chain, 'openai')).toEqual({ anthropic: 100 });
  });
  test('skips providers known to be unhealthy and wraps around the chain', () => {
    expect(planImmediateFailover({ openai: 100 }, chain, 'openai', ['anthropic'])).toEqual({ bedrock: 100 });
    expect(planImmediateFailover({ bedrock: 60, openai: 40 }, chain, 'bedrock')).toEqual({ openai: 100 });
  });
  test('moves traffic sitting on other failed providers too', () => {
    expect(planImmediateFailover({ openai: 50, anthropic: 50 }, chain, 'openai', ['anthropic'])).toEqual({
      bedrock: 100,
    });
  });
  test('returns null when nothing healthy is left (emergency mode)', () => {
    expect(planImmediateFailover({ openai: 100 }, chain, 'openai', ['anthropic', 'bedrock'])).toBeNull();
  });
  test('compactWeights drops zero shares', () => {
    expect(compactWeights({ a: 0, b: 100 })).toEqual({ b: 100 });
  });
});
