import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SLACK_VERBS } from '../../api/slack/parse';
import { ACTIONS } from '../../api/slack/blocks';

const manifest = parse(readFileSync(join(__dirname, '..', '..', 'deploy', 'slack-app-manifest.yaml'), 'utf8'));

test('the manifest points the command and the buttons at /slack/events', () => {
  const cmd = manifest.features.slash_commands.find((c: { command: string }) => c.command === '/incident');
  expect(new URL(cmd.url).pathname).toBe('/slack/events');
  expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe('/slack/events');
  expect(manifest.settings.interactivity.is_enabled).toBe(true);
  for (const verb of SLACK_VERBS) expect(cmd.usage_hint).toContain(verb);
});

test('the bot asks only for the scopes it uses', () => {
  expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['chat:write', 'chat:write.public', 'commands']);
});

test('the notification message template uses the action IDs the Slack app handles', () => {
  const template = readFileSync(join(__dirname, '..', '..', 'templates', 'slack-blocks.json.hbs'), 'utf8');
  const ids = [...template.matchAll(/"action_id": "([^"]+)"/g)].map((m) => m[1]);
  // Every button on the card is one the app handles (the "move traffic" ask appears on command replies only).
  expect(ids.sort()).toEqual([ACTIONS.acknowledge, ACTIONS.escalate, ACTIONS.resolve, ACTIONS.timeline].sort());
  expect(Object.values(ACTIONS)).toEqual(expect.arrayContaining(ids));
});
