// The embedded document store: the on-disk layout lifeline always used, atomic writes, serialised
// updates, first-writer-wins creation and refusal of path-like keys.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDocumentStore } from '../../store';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lifeline-store-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('documents land where the file layout always had them', async () => {
  const s = new FileDocumentStore(dir);
  await s.put('archive', 'openai-0a1b2c3d/incident.json', '{}');
  await s.put('', 'subscribers.json', '{"subscribers":[]}');
  await s.put('notifications/slack', 'openai-0a1b2c3d.json', '{"replies":[]}');
  expect(readFileSync(join(dir, 'archive', 'openai-0a1b2c3d', 'incident.json'), 'utf8')).toBe('{}');
  expect(existsSync(join(dir, 'subscribers.json'))).toBe(true);
  expect(existsSync(join(dir, 'notifications', 'slack', 'openai-0a1b2c3d.json'))).toBe(true);
  expect(await s.keys('archive')).toEqual(['openai-0a1b2c3d/incident.json']);
  expect(await s.keys('nothing-here')).toEqual([]);
  expect(await s.get('archive', 'missing/incident.json')).toBeNull();
});

test('concurrent updates of one document are serialised; putIfAbsent keeps the first value', async () => {
  const s = new FileDocumentStore(dir);
  await Promise.all(
    Array.from({ length: 40 }, () =>
      s.update('c', 'n', (cur) => ({ value: String(Number(cur ?? 0) + 1), result: null })),
    ),
  );
  expect(await s.get('c', 'n')).toBe('40');
  const got = await Promise.all(['a', 'b', 'c'].map((v) => s.putIfAbsent('secrets', 'k', v)));
  expect(new Set(got)).toEqual(new Set(['a']));
  // An update that returns no value writes nothing.
  expect(await s.update('c', 'untouched', () => ({ result: 7 }))).toBe(7);
  expect(await s.get('c', 'untouched')).toBeNull();
});

test('keys that would escape the directory are refused', async () => {
  const s = new FileDocumentStore(dir);
  for (const bad of ['../x', 'a/../../x', '', 'a//b', 'x\u0000y', '/abs'])
    await expect(s.put('archive', bad, 'v')).rejects.toThrow('not a valid store key');
  await expect(s.get('../up', 'k')).rejects.toThrow('not a valid store collection');
});
