// The OpenAPI document: request schemas come from zod (fastify-type-provider-zod); this adds what a
// client (or schemathesis, test/integration/schemathesis.test.ts) needs besides — which routes take the
// bearer token and with what scope, and the error answers every route can give, in the API's one error
// shape. Documentation only: nothing here changes how requests are validated or answers serialized.
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { scopeOfRoute } from './route-table';

const errorBody = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
        required: ['path', 'message'],
      },
    },
  },
  required: ['error'],
};
const error = (description: string) => ({ description, content: { 'application/json': { schema: errorBody } } });

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

export function documentRoute(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const out = jsonSchemaTransform(input);
  const schema = (out.schema ?? {}) as Record<string, unknown>;
  if (schema.hide) return out;
  const scope = scopeOfRoute(input.route as never);
  const takesInput = !!(schema.body || schema.params || schema.querystring || schema.headers);
  const responses: Record<string, unknown> = {
    '2XX': { description: 'Success' },
    ...(input.route.method === 'GET' || (Array.isArray(input.route.method) && input.route.method.includes('GET'))
      ? { 304: { description: 'Not modified (If-None-Match)' } }
      : {}),
    ...(takesInput ? { 400: error('Invalid request: `issues` names each offending field') } : {}),
    ...(scope
      ? { 401: error('Missing or invalid bearer token'), 403: error(`The token lacks the "${scope}" scope`) }
      : {}),
    404: error('Unknown incident, chain or route'),
    ...(schema.params ? { 414: error('Path parameter longer than 1000 characters') } : {}),
    ...(input.route.method === 'POST'
      ? {
          409: error('Not allowed in the current state'),
          413: error('Body larger than 512 KiB'),
          415: error('Body is not application/json'),
        }
      : {}),
    429: error('Rate limit of the token exceeded; see retry-after'),
    503: error('Temporal (or the mailer) is unavailable; retry'),
  };
  return {
    url: out.url,
    schema: {
      ...schema,
      ...(scope
        ? { security: [{ bearer: [] }], description: `Requires a bearer token with the \`${scope}\` scope.` }
        : { security: [] }),
      response: responses,
    },
  } as ReturnType<typeof jsonSchemaTransform>;
}
