// The remote codec endpoint the Temporal UI (and `temporal workflow show --codec-endpoint`) calls to show
// payloads that lifeline encrypted (client/codec.ts): POST /codec/decode and /codec/encode, bodies in the
// proto3 JSON form of Payloads ({ payloads: [{ metadata: { k: base64 }, data: base64 }] }). Registered only
// when temporal.codec is set. Decoding reveals what `read` already may see; encoding needs `operate`.
// Browsers call it from the UI's origin, so the configured origins get CORS headers (a few lines here
// rather than a plugin: two routes, one list of origins, no cookies).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { requireScope, type TokenTable } from './auth';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const payloadsBody = z.strictObject({
  payloads: z
    .array(z.strictObject({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }))
    .max(1000),
});
type JsonPayload = z.infer<typeof payloadsBody>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export function registerCodecRoutes(
  app: FastifyInstance,
  deps: { codecs: PayloadCodec[]; tokens: TokenTable; corsOrigins: string[] },
): void {
  const cors = (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    if (origin && deps.corsOrigins.includes(origin)) {
      reply
        .header('access-control-allow-origin', origin)
        .header('vary', 'origin')
        .header('access-control-allow-headers', 'authorization, content-type, x-namespace')
        .header('access-control-allow-methods', 'POST, OPTIONS');
    }
  };
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const [path, scope, run] of [
    [
      '/codec/decode',
      'read',
      async (ps: Payload[]) => {
        for (const c of [...deps.codecs].reverse()) ps = await c.decode(ps);
        return ps;
      },
    ],
    [
      '/codec/encode',
      'operate',
      async (ps: Payload[]) => {
        for (const c of deps.codecs) ps = await c.encode(ps);
        return ps;
      },
    ],
  ] as const) {
    r.post(
      path,
      {
        onRequest: [async (req, reply) => cors(req, reply), requireScope(deps.tokens, scope)],
        schema: { body: payloadsBody, hide: true },
      },
      async (req) => {
        return { payloads: (await run(req.body.payloads.map(fromJson))).map(toJson) };
      },
    );
    // CORS preflight: carries no token and no payload.
    app.options(path, { schema: { hide: true } }, async (req, reply) => {
      cors(req, reply);
      return reply.code(204).send();
    });
  }
}
