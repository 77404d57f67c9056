// `/incident …` command text → a typed request, or a usage error. Pure, so every verb's grammar is
// unit-testable without Slack.

export const SLACK_VERBS = [
  'declare',
  'list',
  'status',
  'ack',
  'escalate',
  'resolve',
  'note',
  'update',
  'failover',
  'failback',
  'report',
  'slo',
  'help',
] as const;
export type SlackVerb = (typeof SLACK_VERBS)[number];

export type SlackCommand =
  | { verb: 'declare'; provider: string; severity?: 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4'; title: string }
  | { verb: 'list' }
  | { verb: 'status'; id?: string }
  | { verb: 'ack'; id: string }
  | { verb: 'escalate'; id: string; level?: 1 | 2 | 3 }
  | { verb: 'resolve'; id: string; note?: string }
  | { verb: 'note'; id: string; text: string }
  | { verb: 'update'; id: string; text: string; public: boolean }
  | {
      verb: 'failover';
      chain: string;
      from: string;
      to?: string;
      mode: 'immediate' | 'gradual' | 'canary';
      force?: boolean;
    }
  | { verb: 'failback'; chain: string }
  | { verb: 'report'; id: string }
  | { verb: 'slo'; id?: string }
  | { verb: 'help' };

export const USAGE: Record<SlackVerb, string> = {
  declare: '/incident declare <provider> [sev1-4] <title>',
  list: '/incident list',
  status: '/incident status [id]',
  ack: '/incident ack <id>',
  escalate: '/incident escalate <id> [level 1-3]',
  resolve: '/incident resolve <id> [note]',
  note: '/incident note <id> <text>   (internal: never on the status page)',
  update: '/incident update <id> --public <text>   (published on the status page and emailed to subscribers)',
  failover: '/incident failover <chain> <from> [to] [immediate|gradual|canary] [force]',
  failback: '/incident failback <chain>',
  report: '/incident report <id>',
  slo: '/incident slo [id]   (error budgets, burn rates, quota forecasts)',
  help: '/incident help',
};

export const HELP_TEXT = ['*lifeline* — `/incident` commands:', ...SLACK_VERBS.map((v) => `• \`${USAGE[v]}\``)].join(
  '\n',
);

export type ParseResult = { ok: true; command: SlackCommand } | { ok: false; error: string };

const MODES = ['immediate', 'gradual', 'canary'] as const;
const usage = (verb: SlackVerb, why: string): ParseResult => ({
  ok: false,
  error: `${why}\nUsage: \`${USAGE[verb]}\``,
});

export function parseSlackCommand(text: string): ParseResult {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const verb = (words.shift() ?? 'help').toLowerCase();
  const rest = () => words.join(' ');
  switch (verb) {
    case 'help':
      return { ok: true, command: { verb: 'help' } };
    case 'list':
      return { ok: true, command: { verb: 'list' } };
    case 'slo':
      return { ok: true, command: { verb: 'slo', ...(words[0] ? { id: words[0] } : {}) } };
    case 'status':
      return { ok: true, command: { verb: 'status', ...(words[0] ? { id: words[0] } : {}) } };
    case 'declare': {
      const provider = words.shift();
      if (!provider) return usage('declare', 'Which provider?');
      const sev = /^sev([1-4])$/i.exec(words[0] ?? '');
      if (sev) words.shift();
      if (!words.length) return usage('declare', 'Give the incident a title.');
      const severity = sev ? (`SEV${sev[1]}` as 'SEV1') : undefined;
      return { ok: true, command: { verb: 'declare', provider, title: rest(), ...(severity ? { severity } : {}) } };
    }
    case 'ack':
    case 'report': {
      const id = words[0];
      if (!id) return usage(verb, 'Which incident?');
      return { ok: true, command: { verb, id } };
    }
    case 'escalate': {
      const id = words[0];
      if (!id) return usage('escalate', 'Which incident?');
      if (words[1] === undefined) return { ok: true, command: { verb: 'escalate', id } };
      const level = Number(words[1].replace(/^level/i, ''));
      if (![1, 2, 3].includes(level)) return usage('escalate', `"${words[1]}" is not a level (1, 2 or 3).`);
      return { ok: true, command: { verb: 'escalate', id, level: level as 1 | 2 | 3 } };
    }
    case 'resolve': {
      const id = words.shift();
      if (!id) return usage('resolve', 'Which incident?');
      return { ok: true, command: { verb: 'resolve', id, ...(words.length ? { note: rest() } : {}) } };
    }
    case 'note': {
      const id = words.shift();
      if (!id || !words.length) return usage('note', id ? 'What should the note say?' : 'Which incident?');
      return { ok: true, command: { verb: 'note', id, text: rest() } };
    }
    case 'update': {
      const id = words.shift();
      const isPublic = /^--?public$/i.test(words[0] ?? '');
      if (isPublic) words.shift();
      if (!id || !words.length) return usage('update', id ? 'What should the update say?' : 'Which incident?');
      return { ok: true, command: { verb: 'update', id, text: rest().replace(/^"(.*)"$/s, '$1'), public: isPublic } };
    }
    case 'failover': {
      const [chain, from, ...more] = words;
      if (!chain || !from) return usage('failover', 'Name the chain and the provider to move traffic off.');
      let mode: (typeof MODES)[number] = 'immediate';
      let to: string | undefined;
      let force = false;
      for (const w of more) {
        if ((MODES as readonly string[]).includes(w.toLowerCase())) mode = w.toLowerCase() as typeof mode;
        else if (/^(--)?force$/i.test(w)) force = true;
        else if (!to) to = w;
        else return usage('failover', `Unexpected "${w}".`);
      }
      return {
        ok: true,
        command: { verb: 'failover', chain, from, mode, ...(to ? { to } : {}), ...(force ? { force } : {}) },
      };
    }
    case 'failback': {
      if (!words[0]) return usage('failback', 'Which chain?');
      return { ok: true, command: { verb: 'failback', chain: words[0] } };
    }
    default:
      return { ok: false, error: `Unknown command "${verb}".\n${HELP_TEXT}` };
  }
}
