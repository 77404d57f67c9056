// LiteLLM proxy: each provider of a chain is one deployment in a LiteLLM model group; lifeline sets
// its routing weight through the proxy's model management API,
//   POST /model/update { model_info: { id }, litellm_params: { weight } }
// (weights drive LiteLLM's simple-shuffle routing; 0 = no traffic). Needs the proxy to store models in
// its database (STORE_MODEL_IN_DB) and an admin key. Setting a weight is idempotent, so retries are safe.
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
        await res.body.dump();
        if (res.statusCode >= 300) throw new Error(`LiteLLM /model/update ${id} answered HTTP ${res.statusCode}`);
      }
    },
  };
}

export const litellm = definePublisher({
  name: 'litellm',
  configSchema,
  secretEnvs: (cfg) => (cfg?.apiKeyEnv ? [['publishers.litellm.apiKeyEnv', cfg.apiKeyEnv]] : []),
  create: (cfg, env) => (cfg ? createLiteLlmPublisher(cfg, env) : null),
});
