// What `lifeline up` tells a person once it is ready: where everything is, whether Slack is on, the
// tokens to use and the next commands to try — one block, instead of facts scattered through the log.
import type { LifelineConfig } from '../config/schema';
import type { RunningServices } from './runtime';

export interface ReadyFacts {
  config: LifelineConfig;
  services: Pick<RunningServices, 'apiUrl' | 'address' | 'temporalUiUrl' | 'endpoints' | 'workerMetricsUrl'>;
  seconds: number;
  env: NodeJS.ProcessEnv;
  /** Tokens minted for this run (demo config): shown in full, since nobody else knows them. */
  minted: Set<string>;
  parts: { worker: boolean; api: boolean };
}

export function readySummary(f: ReadyFacts): string {
  const { config, services, env } = f;
  const rows: [string, string][] = [];
  if (services.apiUrl) {
    rows.push(['API', `${services.apiUrl}   (OpenAPI: ${services.apiUrl}/openapi.json)`]);
    rows.push(['Status page', `${services.apiUrl}/status`]);
  }
  rows.push(['Temporal', `${services.address}${services.temporalUiUrl ? ` · UI ${services.temporalUiUrl}` : ''}`]);
  if (services.workerMetricsUrl) rows.push(['Metrics', `${services.workerMetricsUrl}/metrics`]);
  if (f.parts.worker) rows.push(['Monitoring', config.providers.map((p) => p.id).join(', ')]);
  if (services.endpoints.simulator)
    rows.push(['Simulator', `${services.endpoints.simulator.url}   (simulated providers)`]);
  if (f.parts.api) {
    const slack = env.SLACK_BOT_TOKEN && env.SLACK_SIGNING_SECRET;
    rows.push([
      'Slack',
      slack
        ? `on (${env.SLACK_APP_TOKEN ? 'Socket Mode' : `HTTP: ${services.apiUrl}/slack/events`})`
        : 'off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to turn it on)',
    ]);
    const mail =
      config.smtp &&
      `on (${config.smtp.host}:${config.smtp.port}${config.statusPage.subscriptions ? '' : '; status-page subscriptions off'})`;
    rows.push(['Email', mail || 'off (no smtp section: no email notifications or subscriber email)']);
    for (const t of config.auth.tokens) {
      const value = env[t.tokenEnv];
      const shown = !value
        ? `not set (${t.tokenEnv})`
        : f.minted.has(t.tokenEnv)
          ? `${t.tokenEnv}=${value}`
          : `from ${t.tokenEnv}`;
      rows.push([`Token ${t.name}`, `${shown}   [${t.scopes.join(', ')}]`]);
    }
  }
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const lines = [`lifeline is ready (${f.seconds.toFixed(1)} s)`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}${v}`)];
  if (f.parts.api && services.apiUrl) {
    const operator = config.auth.tokens.find((t) => t.scopes.includes('operate') || t.scopes.includes('admin'));
    const sim = services.endpoints.simulator;
    const simProvider = config.providers.find((p) => p.baseUrl?.startsWith('sim:'));
    lines.push('', 'Next:');
    if (operator && env[operator.tokenEnv] && f.minted.has(operator.tokenEnv))
      lines.push(`  export ${operator.tokenEnv}=${env[operator.tokenEnv]}`);
    if (services.apiUrl !== 'http://127.0.0.1:8080') lines.push(`  export LIFELINE_API_URL=${services.apiUrl}`);
    lines.push(
      '  npx lifeline incidents list            # what is open',
      '  npx lifeline routes                    # where traffic goes',
    );
    if (sim && simProvider)
      lines.push(
        `  curl -X PUT ${sim.url}/_sim/${simProvider.baseUrl!.slice(4)}/fault -H content-type:application/json -d '{"mode":"outage"}'   # break ${simProvider.id}`,
      );
  }
  lines.push('', 'Ctrl-C to stop.');
  return lines.join('\n');
}
