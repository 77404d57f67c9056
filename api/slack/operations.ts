// What each `/incident` verb and button does, against Temporal through the shared client helpers.
// Returns a Slack message; throws SlackRefusal for things the user should be told plainly.
import type { Client } from '@temporalio/client';
import { startShift } from '../../client/shifts';
import type { LifelineConfig } from '../../config/schema';
import type { IncidentState } from '../../domain/incident';
import { findIncident, listIncidents, recordAlertsForScope } from '../../client/incidents';
import { failoverNow, setRouteWeights } from '../../client/routes';
import { compactWeights } from '../../domain/failover';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  escalateUpdate,
  incidentStateQuery,
  resolveUpdate,
} from '../../workflows/messages';
import { actionUpdateId, earlierUpdateOutcome } from '../../client/idempotent-update';
import { operatorShiftId } from '../idempotency';
import type { UpdateDefinition } from '@temporalio/common';
import { incidentBlocks, incidentText, phaseLabel, reportSummary, reportUrl, timelineText } from './blocks';
import { emergencyRisk } from '../../client/provider-health';
import { settleIncident } from '../../client/settle';
import { HELP_TEXT, type SlackCommand } from './parse';
import { sloText } from './slo-text';
import { sloReportOrEmpty } from '../slos';

export interface SlackReply {
  response_type: 'in_channel' | 'ephemeral';
  text: string;
  blocks?: Record<string, unknown>[];
  replace_original?: boolean;
}

export class SlackRefusal extends Error {}

export interface Actor {
  slackId: string;
  name: string;
}

const ephemeral = (text: string, blocks?: SlackReply['blocks']): SlackReply => ({
  response_type: 'ephemeral',
  text,
  ...(blocks ? { blocks } : {}),
});
const inChannel = (text: string, blocks?: SlackReply['blocks']): SlackReply => ({
  response_type: 'in_channel',
  text,
  ...(blocks ? { blocks } : {}),
});

export function isAllowed(config: LifelineConfig, what: 'failover' | 'resolve', actor: Actor): boolean {
  const list = config.slack.allow[what];
  return list.length === 0 || list.includes(actor.slackId) || list.includes(actor.name);
}

export function createSlackOperations(client: Client, config: LifelineConfig) {
  async function state(
    id: string,
  ): Promise<{ handle: NonNullable<Awaited<ReturnType<typeof findIncident>>>; state: IncidentState }> {
    const handle = await findIncident(client, id);
    if (!handle) throw new SlackRefusal(`No incident \`${id}\`. Try \`/incident list\`.`);
    return { handle, state: await handle.query(incidentStateQuery) };
  }

  function requireAllowed(what: 'failover' | 'resolve', actor: Actor): void {
    if (!isAllowed(config, what, actor))
      throw new SlackRefusal(
        `Sorry ${actor.name}, you are not on the list of people who may ${what === 'failover' ? 'move traffic' : 'resolve incidents'}. Nothing was changed.`,
      );
  }

  /**
   * An Update on the incident. With Slack's key the update ID is `<action>:<key>`: a redelivered command or
   * click returns the first outcome (even once the incident has closed) and changes nothing again.
   */
  async function update<Args extends [unknown, ...unknown[]]>(
    id: string,
    action: string,
    def: UpdateDefinition<IncidentState, Args>,
    args: Args,
    key?: string,
  ): Promise<IncidentState> {
    const handle = await findIncident(client, id);
    if (!handle) throw new SlackRefusal(`No incident \`${id}\`. Try \`/incident list\`.`);
    const runId = key ? (await handle.describe()).runId : undefined;
    const updateId = key ? actionUpdateId(action, key) : undefined;
    if (updateId) {
      const earlier = await earlierUpdateOutcome<IncidentState>(client, handle.workflowId, updateId, runId);
      if (earlier) return earlier.value;
    }
    const s = await handle.query(incidentStateQuery);
    if (s.status === 'resolved') throw new SlackRefusal(`\`${id}\` is already resolved.`);
    return handle.executeUpdate(def, { args, ...(updateId ? { updateId } : {}) });
  }

  const operations = {
    /** key: Slack's IDs for this command or click (see slackActionKey), making updates idempotent. */
    async run(cmd: SlackCommand, actor: Actor, key?: string): Promise<SlackReply> {
      switch (cmd.verb) {
        case 'help':
          return ephemeral(HELP_TEXT);
        case 'list': {
          const open = await listIncidents(client, { status: 'open' });
          if (!open.length) return ephemeral('No open incidents. 🎉');
          return ephemeral(
            [
              '*Open incidents*',
              ...open.map((i) => `• \`${i.id}\` ${i.severity ?? ''} ${i.phase ?? ''} — ${i.title}`),
            ].join('\n'),
          );
        }
        case 'status': {
          if (!cmd.id) return operations.run({ verb: 'list' }, actor);
          const { state: s } = await state(cmd.id);
          return ephemeral(incidentText(s), incidentBlocks(s));
        }
        case 'declare': {
          if (!config.providers.some((p) => p.id === cmd.provider)) {
            throw new SlackRefusal(
              `Unknown provider "${cmd.provider}". Known: ${config.providers.map((p) => p.id).join(', ')}.`,
            );
          }
          const rec = await recordAlertsForScope(
            client,
            config.temporal.taskQueue,
            cmd.provider,
            [
              {
                provider: cmd.provider,
                kind: 'other',
                summary: cmd.title,
                source: `slack:${actor.name}`,
                severity: 'critical',
                observedAt: new Date().toISOString(),
              },
            ],
            { title: cmd.title, severity: cmd.severity, declaredBy: actor.name },
          );
          const what = rec.deduplicated
            ? `added to the open incident \`${rec.incidentId}\``
            : `declared \`${rec.incidentId}\``;
          return inChannel(`${actor.name} ${what} on *${cmd.provider}*: ${cmd.title}`);
        }
        case 'ack': {
          const s = await update(cmd.id, 'acknowledge', acknowledgeUpdate, [{ by: actor.name }], key);
          return inChannel(`${actor.name} acknowledged \`${s.id}\``, incidentBlocks(s));
        }
        case 'escalate': {
          const s = await update(cmd.id, 'escalate', escalateUpdate, [{ by: actor.name, level: cmd.level }], key);
          return inChannel(`${actor.name} escalated \`${s.id}\` to level ${s.escalationLevel}`, incidentBlocks(s));
        }
        case 'resolve': {
          requireAllowed('resolve', actor);
          const { handle } = await state(cmd.id);
          const accepted = await update(cmd.id, 'resolve', resolveUpdate, [{ by: actor.name, note: cmd.note }], key);
          // The card shows the state after the change: wait (briefly) for the workflow to close it.
          const s = await settleIncident(handle, accepted, (x) => x.status === 'resolved');
          const what =
            s.status === 'resolved' ? 'resolved' : `asked to resolve (still ${phaseLabel(s.phase).toLowerCase()})`;
          return inChannel(`${actor.name} ${what} \`${s.id}\`${cmd.note ? `: ${cmd.note}` : ''}`, incidentBlocks(s));
        }
        case 'note': {
          const s = await update(cmd.id, 'addNote', addNoteUpdate, [{ by: actor.name, text: cmd.text }], key);
          return inChannel(`${actor.name} on \`${s.id}\` (internal note): ${cmd.text}`);
        }
        case 'update': {
          const s = await update(
            cmd.id,
            'addNote',
            addNoteUpdate,
            [{ by: actor.name, text: cmd.text, public: cmd.public }],
            key,
          );
          return inChannel(
            cmd.public
              ? `${actor.name} published on the status page for \`${s.id}\`: ${cmd.text}`
              : `${actor.name} on \`${s.id}\` (internal note; add --public to publish): ${cmd.text}`,
          );
        }
        case 'failover': {
          requireAllowed('failover', actor);
          if (!config.chains.some((c) => c.id === cmd.chain)) throw new SlackRefusal(`Unknown chain "${cmd.chain}".`);
          const risk = cmd.force ? null : await emergencyRisk(client, cmd.chain, cmd.from, cmd.to);
          if (risk)
            throw new SlackRefusal(
              `Refused: ${risk}. Nothing was changed; add \`force\` to the command to do it anyway.`,
            );
          if (cmd.mode !== 'immediate') {
            // Stepped shifts queue at the chain's routing entity and run one at a time: say where this one is.
            const started = await startShift(
              client,
              config.temporal.taskQueue,
              {
                chain: cmd.chain,
                kind: cmd.mode,
                from: cmd.from,
                ...(cmd.to ? { to: cmd.to } : {}),
                stepDelayMs: config.recovery.shiftStepMs,
                reason: `${cmd.mode} failover from ${cmd.from} requested by ${actor.name}`,
                by: actor.name,
              },
              key ? { id: operatorShiftId(key) } : {},
            );
            const when =
              started.position === 0 ? 'started' : `queued (${started.position} shift(s) of ${cmd.chain} ahead of it)`;
            return inChannel(
              `${actor.name}'s ${cmd.mode} failover of ${cmd.chain} off ${cmd.from} is ${when} (${started.workflowId}); \`/incident status\` and GET /v1/routes/${cmd.chain}/shift show its progress`,
            );
          }
          const route = await failoverNow(
            client,
            cmd.chain,
            cmd.from,
            actor.name,
            cmd.to,
            key && actionUpdateId('failover', key),
          ).catch((err: Error) => {
            throw new SlackRefusal(`${err.message}. Nothing was changed.`);
          });
          if (!route) return ephemeral(`${cmd.from} carries no traffic on ${cmd.chain}; nothing to move.`);
          return inChannel(
            `${actor.name} failed ${cmd.chain} over off ${cmd.from}: ${weightsText(route.weights)} (v${route.version})`,
          );
        }
        case 'failback': {
          requireAllowed('failover', actor);
          const chain = config.chains.find((c) => c.id === cmd.chain);
          if (!chain) throw new SlackRefusal(`Unknown chain "${cmd.chain}".`);
          const route = await setRouteWeights(
            client,
            chain.id,
            { weights: compactWeights(chain.weights), mode: 'normal', reason: 'manual failback', by: actor.name },
            key && actionUpdateId('failback', key),
          );
          return inChannel(`${actor.name} restored ${chain.id} to ${weightsText(route.weights)} (v${route.version})`);
        }
        case 'slo': {
          const r = await sloReportOrEmpty(client, config);
          const text = sloText(r, cmd.id);
          if (text === null)
            throw new SlackRefusal(
              `No SLO \`${cmd.id}\`. Known: ${r.slos.map((s) => `\`${s.id}\``).join(', ') || 'none'}.`,
            );
          return ephemeral(text);
        }
        case 'report': {
          const { state: s } = await state(cmd.id);
          // A short summary and a link: a Markdown table does not fit a Slack message.
          return ephemeral(reportSummary(s, reportUrl(config, s.id)));
        }
      }
    },

    /** Buttons: the incident ID comes from the button's value. */
    async button(
      action: 'acknowledge' | 'escalate' | 'resolve' | 'timeline' | 'failover',
      id: string,
      actor: Actor,
      key?: string,
    ): Promise<SlackReply> {
      if (action === 'timeline') {
        const { state: s } = await state(id);
        return { ...ephemeral(timelineText(s)), replace_original: false };
      }
      if (action === 'failover') {
        // The answer to "traffic stays on <provider>; move it anyway?": an immediate failover of every chain
        // that still sends it traffic, with the same allow-list and emergency refusal as the command.
        const { state: s } = await state(id);
        const chains = config.chains.filter((c) => c.providers.includes(s.provider)).map((c) => c.id);
        const replies = [];
        for (const chain of chains)
          replies.push(
            (
              await operations
                .run({ verb: 'failover', chain, from: s.provider, mode: 'immediate' }, actor)
                .catch(toRefusalReply)
            ).text,
          );
        return {
          ...inChannel(replies.join('\n') || `No chain sends traffic to ${s.provider}.`),
          replace_original: false,
        };
      }
      const reply = await operations.run(
        action === 'acknowledge'
          ? { verb: 'ack', id }
          : action === 'escalate'
            ? { verb: 'escalate', id }
            : { verb: 'resolve', id },
        actor,
        key,
      );
      // Update the message the button sits on, in place.
      return { ...reply, replace_original: true };
    },
  };
  return operations;
}

function toRefusalReply(err: unknown): SlackReply {
  if (err instanceof SlackRefusal) return ephemeral(err.message);
  throw err;
}

function weightsText(w: Record<string, number>): string {
  return Object.entries(w)
    .map(([p, v]) => `${p} ${v}%`)
    .join(', ');
}
