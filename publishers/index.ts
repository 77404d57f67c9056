// The external route targets, in publishing order. Adding one is a new file exporting a
// `definePublisher(…)` and one line here; its `publishers:` config section and its durable publisher
// follow from this list. (The built-in route table is not a target: activities/publishers.ts.)
import type { z } from 'zod';
import type { PublisherDefinition, RoutePublisher } from './publisher';
import { litellm } from './litellm';
import { webhook } from './webhook';

export const PUBLISHERS = [webhook, litellm] as const;

type Definitions = (typeof PUBLISHERS)[number];
export type PublisherConfigShape = { [D in Definitions as D['name']]: D['configSchema'] };
export type PublisherConfigs = z.output<z.ZodObject<PublisherConfigShape>>;

const list: readonly PublisherDefinition[] = PUBLISHERS;
const section = (p: PublisherConfigs, d: PublisherDefinition) => (p as Record<string, unknown>)[d.name];

/** The zod shape of every target's section under `publishers:` (config/schema.ts spreads it). */
export function publisherConfigShape(): PublisherConfigShape {
  return Object.fromEntries(list.map((d) => [d.name, d.configSchema])) as PublisherConfigShape;
}

/** The configured external targets (each gets its own durable publisher). */
export function createExternalPublishers(p: PublisherConfigs, env?: NodeJS.ProcessEnv): RoutePublisher[] {
  return list.flatMap((d) => d.create(section(p, d), env) ?? []);
}

/** Every secret the configured targets read, as [config path, environment variable name]. */
export function publisherSecretEnvs(p: PublisherConfigs): [string, string][] {
  return list.flatMap((d) => d.secretEnvs(section(p, d)));
}

export type { RoutePublisher } from './publisher';
