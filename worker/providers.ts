// Provider endpoints for this process: real URLs as configured, and `sim:<name>` providers served by an
// in-process simulator (the demo config and tests), started once and shared by worker and API.
import type { LifelineConfig } from '../config/schema';
import { startSimulator, type Simulator } from '../sim';

export interface ProviderEndpoints {
  baseUrlFor(providerId: string): string;
  simulator?: Simulator;
  close(): Promise<void>;
}

export async function startProviderEndpoints(config: LifelineConfig): Promise<ProviderEndpoints> {
  const simulated = config.providers.filter((p) => p.baseUrl.startsWith('sim:'));
  let simulator: Simulator | undefined;
  if (simulated.length) {
    simulator = await startSimulator({
      host: config.simulator.host,
      port: config.simulator.port,
      providers: simulated.map((p) => ({
        id: p.baseUrl.slice(4),
        kind: p.kind === 'anthropic' ? 'anthropic' : 'openai',
        models: p.models,
      })),
    });
  }
  const urls = new Map(
    config.providers.map((p) => [
      p.id,
      p.baseUrl.startsWith('sim:') ? simulator!.baseUrlFor(p.baseUrl.slice(4)) : p.baseUrl,
    ]),
  );
  return {
    simulator,
    baseUrlFor(id) {
      const url = urls.get(id);
      if (!url) throw new Error(`unknown provider "${id}"`);
      return url;
    },
    async close() {
      await simulator?.close();
    },
  };
}
