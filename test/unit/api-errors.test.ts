// Temporal failures as HTTP answers: a query the workflow could not answer is a 503 to retry (it was a 500
// "internal error" with the reason lost), its reason in the log and not in the answer.
import Fastify from 'fastify';
import { QueryNotRegisteredError, QueryRejectedError, ServiceError } from '@temporalio/client';
import { installErrorHandler } from '../../api/errors';

async function answerTo(err: Error) {
  const logged: string[] = [];
  const app = Fastify({
    logger: { level: 'error', stream: { write: (l: string) => logged.push(l) } },
  });
  installErrorHandler(app);
  app.get('/x', async () => {
    throw err;
  });
  const res = await app.inject({ method: 'GET', url: '/x' });
  await app.close();
  return { status: res.statusCode, body: res.json(), logged: logged.join('') };
}

test('a failed workflow query is a 503 to retry, its reason logged and not answered', async () => {
  const failed = await answerTo(new QueryNotRegisteredError('WorkflowTaskFailed: nondeterminism at event 42', 3));
  expect([failed.status, failed.body]).toEqual([
    503,
    { error: 'the workflow could not answer just now; retry shortly' },
  ]);
  expect(failed.logged).toContain('nondeterminism at event 42');
  const rejected = await answerTo(new QueryRejectedError(2));
  expect(rejected.status).toBe(503);
});

test('Temporal unreachable stays a 503; anything unknown stays a 500 "internal error"', async () => {
  expect((await answerTo(new ServiceError('14 UNAVAILABLE'))).status).toBe(503);
  expect(await answerTo(new TypeError('x is undefined'))).toMatchObject({
    status: 500,
    body: { error: 'internal error' },
  });
});

test('a query that ran out of time (client/query-deadline.ts) is the same 503 to retry', async () => {
  const timedOut = new ServiceError('Failed to query Workflow', {
    cause: Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4 }),
  });
  expect(await answerTo(timedOut)).toMatchObject({
    status: 503,
    body: { error: 'the workflow could not answer just now; retry shortly' },
  });
  // Any other call that timed out is Temporal being unavailable.
  const other = new ServiceError('Failed to signal Workflow', {
    cause: Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4 }),
  });
  expect(await answerTo(other)).toMatchObject({
    status: 503,
    body: { error: 'Temporal is unavailable; retry shortly' },
  });
});
