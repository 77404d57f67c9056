// Manual playground: `node dist/sim/cli.js --port 8091` starts one OpenAI-like and one
// Anthropic-like provider and prints where they are and how to break them.
import { parseArgs } from 'node:util';
import { startSimulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '8091' }, host: { type: 'string', default: '127.0.0.1' } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port "${values.port}"`);

  const sim = await startSimulator({
    host: values.host,
    port,
    providers: [
      { id: 'openai', kind: 'openai' },
      { id: 'anthropic', kind: 'anthropic' },
    ],
  });
  console.log(`lifeline simulator listening on ${sim.url}`);
  console.log(`  openai    base URL ${sim.baseUrlFor('openai')}    (try: curl ${sim.baseUrlFor('openai')}/v1/models)`);
  console.log(
    `  anthropic base URL ${sim.baseUrlFor('anthropic')} (try: curl ${sim.baseUrlFor('anthropic')}/v1/models)`,
  );
  console.log(
    `  faults:   curl -X PUT ${sim.url}/_sim/anthropic/fault -H 'content-type: application/json' -d '{"mode":"overloaded"}'`,
  );
  console.log(`  state:    curl ${sim.url}/_sim`);

  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
