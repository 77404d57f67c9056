// LiteLLM proxy: each provider of a chain is one deployment in a LiteLLM model group; lifeline sets
// its routing weight through the proxy's model management API,
//   POST /model/update { model_info: { id }, litellm_params: { weight } }
// (weights drive LiteLLM's simple-shuffle routing; 0 = no traffic). Setting a weight is idempotent, so
// retries are safe. Checked against the proxy's source (1.108.7): the endpoint needs a database
// (STORE_MODEL_IN_DB + DATABASE_URL; without one it answers 500 "No DB Connected") and deployments added
// through /model/new (one defined in config.yaml answers 400 "Model in config"). Both are set-up
// errors no retry fixes: they fail the version for good, with the way out in the message, and the next
// version tries again. A DB-less proxy follows the route itself: integrations/litellm/lifeline_routes.py.
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import { z } from 'zod';
import { envName, readSecret } from '../config/env-name';
import type { RouteState } from '../workflows/messages';
import { definePublisher, requestSignal, type RoutePublisher } from './publisher';

const configSchema = z
  .strictObject({
    url: z.url(),
    /** The proxy's admin (master) key, by environment variable name. */
    apiKeyEnv: envName.optional(),
    /** Per chain, per provider: the LiteLLM deployment (model_info.id) whose weight lifeline sets. */
    deployments: z.record(z.string(), z.record(z.string(), z.string().min(1))),
  })
  .optional();
export type LiteLlmConfig = NonNullable<z.output<typeof configSchema>>;

export function createLiteLlmPublisher(cfg: LiteLlmConfig, env?: NodeJS.ProcessEnv): RoutePublisher {
  return {
    name: 'litellm',
    async publish(route: RouteState, signal?: AbortSignal) {
      const deployments = cfg.deployments[route.id];
      if (!deployments) return; // this chain is not served through LiteLLM
      const key = readSecret(cfg.apiKeyEnv, env);
      // Emergency mode keeps the last weights (nowhere healthy to go); every listed deployment is set,
      // so a provider that left the route drops to 0.
      for (const [provider, id] of Object.entries(deployments)) {
        const body = JSON.stringify({ model_info: { id }, litellm_params: { weight: route.weights[provider] ?? 0 } });
        const res = await request(`${cfg.url.replace(/\/$/, '')}/model/update`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body,
          signal: requestSignal(signal),
        });
        const text = await res.body.text();
        if (res.statusCode >= 300) throw litellmFailure(id, res.statusCode, text);
      }
    },
  };
}

/** The proxy's refusal as an error: retried (Temporal) unless it is a set-up error no retry can fix. */
export function litellmFailure(id: string, status: number, body: string): Error {
  const what = `LiteLLM /model/update ${id} answered HTTP ${status}: ${body.slice(0, 200)}`;
  if (status === 500 && /No DB Connected/i.test(body))
    return ApplicationFailure.nonRetryable(
      `${what} (the proxy has no database: set STORE_MODEL_IN_DB and DATABASE_URL, or let the proxy follow the route with integrations/litellm/lifeline_routes.py)`,
      'LiteLlmNoDatabase',
    );
  if (status === 400 && /Model in config/i.test(body))
    return ApplicationFailure.nonRetryable(
      `${what} (the deployment is defined in config.yaml: add it through /model/new so its weight can be set)`,
      'LiteLlmModelInConfig',
    );
  return new Error(what);
}

export const litellm = definePublisher({
  name: 'litellm',
  configSchema,
  secretEnvs: (cfg) => (cfg?.apiKeyEnv ? [['publishers.litellm.apiKeyEnv', cfg.apiKeyEnv]] : []),
  create: (cfg, env) => (cfg ? createLiteLlmPublisher(cfg, env) : null),
});
