// Message templates (Handlebars): the bundled set in templates/, overridable file by file from
// `notifications.templatesDir`. Every variable a template uses is checked against the model before
// anything is sent (`lifeline config check` runs the same check), and rendering is strict, so a typo
// fails loudly instead of putting a blank into a customer email.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NotificationFacts } from '../domain/notification';
import { BUNDLED_TEMPLATES_DIR } from './bundled';
import { HELPERS, parseFile, renderFile } from './engine';
import { unconditionalVariables, unknownVariables } from './template-check';

export const MESSAGE_TEMPLATES = [
  'team-alert.subject',
  'team-alert.txt',
  'team-alert.html',
  'customer-start.subject',
  'customer-start.txt',
  'customer-start.html',
  'customer-update.subject',
  'customer-update.txt',
  'customer-update.html',
  'customer-resolved.subject',
  'customer-resolved.txt',
  'customer-resolved.html',
  'pagerduty-summary.txt',
  'slack-blocks.json',
  'slack-update.txt',
] as const;
export type TemplateName = (typeof MESSAGE_TEMPLATES)[number];

export interface TemplateModel extends NotificationFacts {
  kind: string;
  message: string;
  level: number;
  roles: string[];
  /** Slack mentions of the people paged (`<@U…>`), or empty. */
  mentions: string;
}

/** A fully populated model: the reference for which variables exist, and the data for test renders. */
export const SAMPLE_MODEL: TemplateModel = {
  incidentId: 'openai-1a2b3c4d',
  provider: 'openai',
  title: 'openai failing health probes',
  severity: 'SEV1',
  phase: 'diagnosing',
  status: 'open',
  startedAt: '2026-01-01T00:00:00.000Z',
  resolvedAt: '2026-01-01T00:42:00.000Z',
  escalationLevel: 2,
  alertCount: 3,
  impactLevel: 'critical',
  impactDescription: 'The service is unavailable (support-bot).',
  affectedServices: ['support-bot'],
  users: 12000,
  rootCause: 'The cause was an outage at our AI provider.',
  recommendations: ['Fail over automatically'],
  progress: 'The team is investigating.',
  estimatedResolution: 'We will share an estimate as soon as we have one.',
  acknowledgedBy: 'dana',
  durationMinutes: 42,
  opening: true,
  kind: 'page',
  message: 'incident opened',
  level: 2,
  roles: ['technical_lead'],
  mentions: '<@U123>',
};

export function templateFile(name: TemplateName, dir?: string): string {
  const own = dir ? resolve(dir, `${name}.hbs`) : undefined;
  return own && existsSync(own) ? own : join(BUNDLED_TEMPLATES_DIR, `${name}.hbs`);
}

function render(file: string, name: TemplateName, model: TemplateModel): string {
  return renderFile(file, model, name.endsWith('.html'));
}

/** Every problem in the templates a config would use, as `file: message` lines (empty = fine). */
export function checkTemplates(dir?: string): string[] {
  const problems: string[] = [];
  if (dir && !existsSync(dir)) return [`notifications.templatesDir: ${dir} does not exist`];
  for (const name of MESSAGE_TEMPLATES) {
    const file = templateFile(name, dir);
    try {
      const unknown = unknownVariables(parseFile(file), SAMPLE_MODEL, HELPERS);
      for (const u of unknown) problems.push(`${file}: line ${u.line}: unknown variable "${u.name}"`);
      if (unknown.length) continue;
      const out = render(file, name, SAMPLE_MODEL);
      if (name === 'slack-blocks.json' && !Array.isArray(JSON.parse(out)))
        problems.push(`${file}: must render a JSON array of Block Kit blocks`);
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return problems;
}

export class TemplateError extends Error {}

/** Renders one template; unknown variables or invalid output throw TemplateError (not worth retrying). */
export function renderTemplate(name: TemplateName, model: TemplateModel, dir?: string): string {
  const file = templateFile(name, dir);
  try {
    const ast = parseFile(file);
    const unknown = unknownVariables(ast, SAMPLE_MODEL, HELPERS);
    if (unknown.length) throw new Error(`unknown variable "${unknown[0].name}" (line ${unknown[0].line})`);
    if (name.startsWith('customer-')) {
      for (const v of unconditionalVariables(ast)) {
        const value = v
          .split('.')
          .reduce<unknown>(
            (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
            model,
          );
        if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) {
          throw new Error(`"${v}" has no value for this incident: wrap it in {{#if ${v}}}…{{/if}}`);
        }
      }
    }
    const out = render(file, name, model);
    return name.endsWith('.subject') ? out.trim().replace(/\s+/g, ' ') : out;
  } catch (err) {
    throw new TemplateError(`template ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
}
