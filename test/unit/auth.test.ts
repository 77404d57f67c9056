import { buildTokenTable } from '../../api/auth';
import { parseConfig } from '../../config/load';

const config = parseConfig(`
auth:
  tokens:
    - { name: detectors, tokenEnv: INGEST_T, scopes: [ingest] }
    - { name: oncall, tokenEnv: OP_T, scopes: [read, operate] }
    - { name: unset, tokenEnv: NOT_SET_T, scopes: [admin] }
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com }
`);

test('bearer tokens resolve to their principal; anything else does not', () => {
  const t = buildTokenTable(config, { INGEST_T: 'ingest-secret', OP_T: 'op-secret' });
  expect(t.authenticate('Bearer op-secret')).toEqual({ name: 'oncall', scopes: ['read', 'operate'] });
  expect(t.authenticate('bearer ingest-secret')?.name).toBe('detectors');
  expect(t.authenticate('Bearer op-secre')).toBeNull();
  expect(t.authenticate('Bearer op-secret-and-more')).toBeNull();
  expect(t.authenticate('Basic op-secret')).toBeNull();
  expect(t.authenticate(undefined)).toBeNull();
});

test('a token whose variable is unset is listed and unusable (an empty token never matches)', () => {
  const t = buildTokenTable(config, { INGEST_T: 'x', OP_T: 'y' });
  expect(t.missing).toEqual(['unset (NOT_SET_T)']);
  expect(t.authenticate('Bearer ')).toBeNull();
});
