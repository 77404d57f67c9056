// Route streaming on the real stack: the event stream sends the current route at once and an operator's
// route change as the next event with a higher version; the long-poll answers 200 on a change and 304
// when its wait ends; scopes, unknown chains and bad input are refused before anything is held; closing
// the server ends the open streams.
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { openSse, type SseStream } from '../../bench/sse-client';

let stack: Stack;
const streams: SseStream[] = [];
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  streams.forEach((s) => s.close());
  await stack?.stop();
});

const op = { token: TOKENS.operator };
const read = { token: TOKENS.reader };
/** token '' sends none. */
const open = async (chain = 'chat', token = TOKENS.reader) => {
  const s = await openSse(`${stack.apiUrl}/v1/routes/${chain}/events`, token);
  streams.push(s);
  return s;
};
const setWeights = async (weights: Record<string, number>) =>
  expect(
    (await stack.http('POST', '/v1/routes/chat/weights', { ...op, body: { weights, by: 'route-stream' } })).status,
  ).toBe(202);

test('refused before the stream starts: 401 without a token, 404 for an unknown chain, 400 naming wait', async () => {
  const anonymous = await open('chat', '');
  expect([anonymous.status, anonymous.events]).toEqual([401, []]);
  expect((await open('chat', TOKENS.ingest)).status).toBe(403);
  const unknown = await open('nope');
  expect([unknown.status, unknown.headers['content-type']]).toEqual([404, 'application/json; charset=utf-8']);
  await unknown.ended;
  expect((await stack.http('GET', '/v1/routes/chat?wait=0', read)).body.issues).toEqual([
    expect.objectContaining({ path: 'querystring.wait' }),
  ]);
  expect((await stack.http('GET', '/v1/routes/chat?wait=61', read)).status).toBe(400);
});

test('the route JSON names the chain order and the providers held down', async () => {
  const r = await stack.http('GET', '/v1/routes/chat', read);
  expect(r.body).toMatchObject({ id: 'chat', providers: ['openai', 'anthropic'], down: [] });
  expect((await stack.http('GET', '/v1/routes', read)).body.routes[0]).toMatchObject({
    providers: ['openai', 'anthropic'],
    down: [],
  });
});

test('the stream sends the current route at once, then an operator change with a higher version', async () => {
  const current = (await stack.http('GET', '/v1/routes/chat', read)).body;
  const s = await open();
  expect([s.status, s.headers['content-type']]).toEqual([200, 'text/event-stream; charset=utf-8']);
  const first = await s.next(() => true, 10_000);
  expect([first.event, first.id]).toEqual(['route', String(current.version)]);
  expect(JSON.parse(first.data)).toEqual(current);

  await setWeights({ openai: 50, anthropic: 50 });
  const changed = await s.next((e) => e.event === 'route' && Number(e.id) > current.version, 30_000, 1);
  const route = JSON.parse(changed.data);
  expect(route.version).toBeGreaterThan(current.version);
  expect(route.version).toBe(Number(changed.id));
  await s.next((e) => JSON.parse(e.data).weights.anthropic === 50, 30_000);
});

test('long-poll: 200 with the new route and tag on a change, 304 when the wait ends', async () => {
  const before = await stack.http('GET', '/v1/routes/chat', read);
  const tag = before.headers.etag as string;
  const held = stack.http('GET', '/v1/routes/chat?wait=30', { ...read, headers: { 'if-none-match': tag } });
  const target: Record<string, number> = before.body.weights.openai === 100 ? { anthropic: 100 } : { openai: 100 };
  await setWeights(target);
  const answered = await held;
  expect(answered.status).toBe(200);
  expect(answered.body.version).toBeGreaterThan(before.body.version);
  expect(answered.headers.etag).not.toBe(tag);

  // A tag that is current, and no change within the wait: 304 once it ends (not before).
  const settled = await stack.http('GET', '/v1/routes/chat', read);
  let now = settled;
  for (let i = 0; i < 50 && JSON.stringify(now.body.weights) !== JSON.stringify(target); i++)
    now = await new Promise((r) => setTimeout(r, 100)).then(() => stack.http('GET', '/v1/routes/chat', read));
  const started = Date.now();
  const quiet = await stack.http('GET', '/v1/routes/chat?wait=1', {
    ...read,
    headers: { 'if-none-match': now.headers.etag as string },
  });
  expect([quiet.status, quiet.text]).toEqual([304, '']);
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  // A stale tag is answered at once.
  expect(
    (await stack.http('GET', '/v1/routes/chat?wait=30', { ...read, headers: { 'if-none-match': tag } })).status,
  ).toBe(200);
});

test('closing the server ends the open streams and is not held up by them', async () => {
  const a = await open();
  const b = await open();
  await Promise.all([a.next(() => true), b.next(() => true)]);
  const started = Date.now();
  await stack.api.close();
  await Promise.all([a.ended, b.ended]);
  expect(Date.now() - started).toBeLessThan(5_000);
});
