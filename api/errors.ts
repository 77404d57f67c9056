// One error shape for the whole API: { error, issues?: [{ path, message }] }, and Temporal failures
// mapped to HTTP (unknown → 404, rejected by the workflow → 409, Temporal down or a query failed → 503).
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  QueryNotRegisteredError,
  QueryRejectedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  ServiceError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { status } from '@grpc/grpc-js';

const grpcCode = (cause: unknown): number | undefined =>
  (cause as { code?: unknown } | undefined)?.code as number | undefined;

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const issues = err.validation.map((v) => ({
        path: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      }));
      return reply.code(400).send({ error: `invalid ${where}`, issues });
    }
    if (err instanceof HttpError)
      return reply.code(err.statusCode).send({ error: err.message, ...(err.issues ? { issues: err.issues } : {}) });
    if (err instanceof WorkflowNotFoundError) return reply.code(404).send({ error: 'not found' });
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      const message = cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : err.message;
      return reply.code(409).send({ error: message });
    }
    // A query whose attempts ran out of time (client/query-deadline.ts): the workflow's worker is busy or
    // has just died; a retry is answered by another worker once the workflow task moves on.
    if (err instanceof ServiceError && grpcCode(err.cause) === status.DEADLINE_EXCEEDED && /query/i.test(err.message)) {
      req.log.warn({ err }, 'workflow query timed out');
      return reply.code(503).send({ error: 'the workflow could not answer just now; retry shortly' });
    }
    if (err instanceof ServiceError) {
      req.log.error({ err }, 'temporal unavailable');
      return reply.code(503).send({ error: 'Temporal is unavailable; retry shortly' });
    }
    // A workflow that cannot answer a query right now (its worker failed the query task, e.g. while a
    // workflow task fails; the SDK reports a failed query as QueryNotRegisteredError): transient for the
    // caller, and the reason is for the log, not the answer.
    if (err instanceof QueryNotRegisteredError || err instanceof QueryRejectedError) {
      req.log.error({ err }, 'workflow query failed');
      return reply.code(503).send({ error: 'the workflow could not answer just now; retry shortly' });
    }
    if (err.statusCode === 413) return reply.code(413).send({ error: 'request body too large' });
    // A body that is not JSON at all (or smuggles __proto__): the field at fault is the body itself.
    if (err.statusCode === 400 && (err.code?.startsWith('FST_ERR_CTP_') || err instanceof SyntaxError)) {
      return reply.code(400).send({ error: 'invalid body', issues: [{ path: 'body', message: err.message }] });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return reply.code(err.statusCode).send({ error: err.message });
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'internal error' });
  });
}
