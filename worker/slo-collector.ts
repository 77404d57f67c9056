// Wires the SLO collector (activities/slo-collector.ts) to Temporal: its batches go to the SLO entity by
// signal-with-start, and primary_share reads each chain's route from its routing entity.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { LifelineConfig } from '../config/schema';
import { SloCollector } from '../activities/slo-collector';
import { getRoute } from '../client/routes';
import { sendSloSamples, slosWanted } from '../client/slos';

export function sloCollectorFor(config: LifelineConfig, client: Client, logger: Logger): SloCollector | undefined {
  if (!slosWanted(config)) return undefined;
  return new SloCollector({
    config,
    logger,
    send: (batch, withSettings) => sendSloSamples(client, config, batch, withSettings),
    readRoute: (chain) => getRoute(client, chain),
  });
}
