// What activities need from the outside world, injected by the worker (and by tests).
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { LifelineConfig } from '../config/schema';
import type { ArchiveStore } from '../client/archive-store';
import type { ActivityMetrics } from '../metrics/activity';
import type { SloCollector } from './slo-collector';

export interface ActivityDeps {
  config: LifelineConfig;
  client: Client;
  logger: Logger;
  /** Resolves a provider's configured baseUrl (`sim:<name>` becomes the in-process simulator's URL). */
  baseUrlFor(providerId: string): string;
  env?: NodeJS.ProcessEnv;
  /** Directory of the message/report templates (defaults to the bundled templates/). */
  templatesDir?: string;
  /** Where closed incidents are archived (defaults to the filesystem under dataDir/archive). */
  archive?: ArchiveStore;
  /** Probe, delivery and MTTx metrics of this process (none in most unit tests). */
  metrics?: ActivityMetrics;
  /** Counts probes and rate-limit readings for the SLO entity (none when no SLO or forecast is configured). */
  slo?: SloCollector;
}

export function providerConfig(deps: ActivityDeps, id: string) {
  const p = deps.config.providers.find((x) => x.id === id);
  if (!p) throw new Error(`unknown provider "${id}"`);
  return p;
}
