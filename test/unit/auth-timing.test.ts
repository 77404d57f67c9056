// Token comparison is constant-time: every authenticate() compares SHA-256 digests (equal length, so
// timingSafeEqual never throws or short-cuts on length) against every configured token, matched or not.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});
import { timingSafeEqual } from 'node:crypto';
import { buildTokenTable } from '../../api/auth';
import { parseConfig } from '../../config/load';

const compare = timingSafeEqual as jest.MockedFunction<typeof timingSafeEqual>;
const config = parseConfig(`
auth:
  tokens:
    - { name: a, tokenEnv: A_T, scopes: [ingest] }
    - { name: b, tokenEnv: B_T, scopes: [read] }
    - { name: c, tokenEnv: C_T, scopes: [operate] }
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com }
`);
const table = buildTokenTable(config, { A_T: 'token-a', B_T: 'token-b-which-is-longer', C_T: 'c' });

test.each([
  ['the first token', 'token-a', 'a'],
  ['the last token', 'c', 'c'],
  ['no token (same length as one)', 'token-x', null],
  ['no token (much longer)', 'x'.repeat(10_000), null],
  ['no token (one character)', 'y', null],
])('%s: compared with all three, over 32-byte digests', (_name, token, who) => {
  compare.mockClear();
  expect(table.authenticate(`Bearer ${token}`)?.name ?? null).toBe(who);
  expect(compare).toHaveBeenCalledTimes(3);
  for (const [a, b] of compare.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
});
