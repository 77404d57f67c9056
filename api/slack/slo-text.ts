// `/incident slo [id]` as a Slack message: one line per objective (budget left, burn rates, state) and one
// per quota forecast, with the same cells as `lifeline slo` (domain/slo-format.ts).
import { quotaCells, sloCells, type QuotaRowInput, type SloRowInput } from '../../domain/slo-format';

/** null when `id` names no objective. */
export function sloText(r: { at: string; slos: SloRowInput[]; quotas: QuotaRowInput[] }, id?: string): string | null {
  const slos = id ? r.slos.filter((s) => s.id === id) : r.slos;
  if (id && !slos.length) return null;
  const lines = ['*SLOs*'];
  if (!slos.length) lines.push('No SLOs configured (`slos:` in the config).');
  for (const s of slos) {
    const [sloId, of, sli, target, window, actual, left, burn1h, burn6h, state] = sloCells(s);
    lines.push(
      `• \`${sloId}\` ${of} ${sli} ${target} over ${window}: actual ${actual}, budget left ${left}, burn ${burn1h} (1h) ${burn6h} (6h) — *${state}*`,
    );
  }
  if (!id && r.quotas.length) {
    lines.push('*Quota forecasts*');
    const now = Date.parse(r.at) || Date.now();
    for (const q of r.quotas) {
      const [provider, kind, remaining, perMin, runsOut, state] = quotaCells(q, now);
      lines.push(`• ${provider} ${kind}: ${remaining} left, ${perMin}/min, runs out ${runsOut} — *${state}*`);
    }
  }
  return lines.join('\n');
}
