// Draws a TimelineChart (domain/timeline-chart.ts) as one self-contained SVG: no script, no external font
// or stylesheet, every text escaped (titles and alert summaries come from outside). Hand-written rather
// than a charting library: the server-side ones pull in a DOM or a canvas for what is a few rects and
// paths, and a fixed string output is what the golden test compares.
import type { HealthStatus, TimelineChart } from './timeline-chart';

const W = 960;
const LEFT = 150;
const RIGHT = 20;
const PLOT = W - LEFT - RIGHT;
const LANE = 18;
const ROUTE_H = 56;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

const HEALTH_FILL: Record<HealthStatus, string> = {
  closed: '#2da44e',
  failing: '#d4a72c',
  open: '#cf222e',
  unobserved: '#d0d7de',
};
const HEALTH_TEXT: Record<HealthStatus, string> = {
  closed: 'healthy (breaker closed)',
  failing: 'probes failing (breaker closed)',
  open: 'down (breaker open)',
  unobserved: 'not probed in this incident',
};
const PHASE_FILL: Record<string, string> = {
  detected: '#ffebe9',
  assessing: '#fff1e5',
  escalating: '#fff8c5',
  diagnosing: '#ddf4ff',
  recovering: '#fbefff',
  monitoring: '#dafbe1',
  restoring: '#d1f0e0',
  reporting: '#eaeef2',
  resolved: '#eaeef2',
};
/** Area colours per provider position in a chain (colour-blind-safe Okabe–Ito order). */
const AREA_FILL = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'];
const MARK_FILL = { 'probe-failed': '#cf222e', 'probe-ok': '#2da44e', alert: '#bf8700', action: '#0969da' } as const;

/** XML text and attribute escaping (the five predefined entities). */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const n = (v: number) => String(Math.round(v * 10) / 10);
const TICKS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map(
  (s) => s * 1000,
);

function tickStep(spanMs: number): number {
  return TICKS_MS.find((t) => spanMs / t <= 8) ?? 86_400_000 * Math.ceil(spanMs / 86_400_000 / 8);
}

const clock = (ms: number, step: number) => new Date(ms).toISOString().slice(11, step < 60_000 ? 19 : 16);

export function renderTimelineSvg(c: TimelineChart): string {
  const t0 = Date.parse(c.start);
  const t1 = Math.max(Date.parse(c.end), t0 + 1);
  const x = (at: string) => LEFT + ((Math.min(Math.max(Date.parse(at), t0), t1) - t0) / (t1 - t0)) * PLOT;
  const out: string[] = [];
  const plotTop = 60;
  let y = plotTop;
  const label = (text: string, yy: number) =>
    out.push(`<text x="${LEFT - 8}" y="${n(yy)}" text-anchor="end" class="lane">${escapeXml(text)}</text>`);

  // Phases
  label('phase', y + 13);
  for (const p of c.phases) {
    const x0 = x(p.from);
    const w = Math.max(x(p.to) - x0, 1);
    out.push(
      `<rect class="phase" x="${n(x0)}" y="${y}" width="${n(w)}" height="${LANE}" fill="${PHASE_FILL[p.phase] ?? '#eaeef2'}" stroke="#ffffff"><title>${escapeXml(`${p.phase}: ${p.from} → ${p.to}`)}</title></rect>`,
    );
    if (w > 48) out.push(`<text x="${n(x0 + 3)}" y="${y + 13}" class="small">${escapeXml(p.phase)}</text>`);
  }
  y += LANE + 10;

  // Provider health bands: one outline path per provider, its segments inside.
  for (const band of c.health) {
    label(`${band.provider} health`, y + 12);
    out.push(`<g class="health-band" data-provider="${escapeXml(band.provider)}">`);
    for (const g of band.segments) {
      const x0 = x(g.from);
      out.push(
        `<rect x="${n(x0)}" y="${y + 2}" width="${n(Math.max(x(g.to) - x0, 1))}" height="${LANE - 4}" fill="${HEALTH_FILL[g.status]}"><title>${escapeXml(`${band.provider}: ${HEALTH_TEXT[g.status]} ${g.from} → ${g.to}`)}</title></rect>`,
      );
    }
    out.push(`<path class="band" d="M${LEFT} ${y + 2}h${PLOT}v${LANE - 4}h-${PLOT}Z" fill="none" stroke="#8c959f"/>`);
    if (band.provider === c.provider) {
      for (const m of c.marks.filter((k) => k.kind === 'probe-failed' || k.kind === 'probe-ok')) {
        out.push(
          `<circle class="probe" cx="${n(x(m.at))}" cy="${y + LANE / 2}" r="3" fill="#ffffff" stroke="${MARK_FILL[m.kind]}" stroke-width="2"><title>${escapeXml(`${m.at} ${m.label}`)}</title></circle>`,
        );
      }
    }
    out.push('</g>');
    y += LANE + 4;
  }
  // What the band colours mean (the statuses present).
  let hx = LEFT;
  for (const status of Object.keys(HEALTH_TEXT) as HealthStatus[]) {
    if (!c.health.some((b) => b.segments.some((g) => g.status === status))) continue;
    out.push(
      `<rect x="${n(hx)}" y="${y}" width="10" height="10" fill="${HEALTH_FILL[status]}"/><text x="${n(hx + 14)}" y="${y + 9}" class="small">${HEALTH_TEXT[status]}</text>`,
    );
    hx += 24 + HEALTH_TEXT[status].length * 5.5;
  }
  y += 22;

  // Route weights: stacked areas per chain, one path per provider.
  if (!c.routes.length) {
    label('routes', y + 12);
    out.push(`<text x="${LEFT + 4}" y="${y + 12}" class="small">no route changes during the incident</text>`);
    y += LANE + 8;
  }
  for (const r of c.routes) {
    label(`route ${r.chain} (%)`, y + ROUTE_H / 2 + 4);
    const steps = r.points.map((p, i) => ({ x0: x(p.at), x1: x(r.points[i + 1]?.at ?? c.end), w: p.weights }));
    const yAt = (share: number) => y + ROUTE_H - (share / 100) * ROUTE_H;
    r.providers.forEach((p, k) => {
      const below = (w: Record<string, number>) => r.providers.slice(0, k).reduce((sum, q) => sum + (w[q] ?? 0), 0);
      const top = steps
        .map((s) => `${n(s.x0)} ${n(yAt(below(s.w) + (s.w[p] ?? 0)))}L${n(s.x1)} ${n(yAt(below(s.w) + (s.w[p] ?? 0)))}`)
        .join('L');
      const bottom = [...steps]
        .reverse()
        .map((s) => `${n(s.x1)} ${n(yAt(below(s.w)))}L${n(s.x0)} ${n(yAt(below(s.w)))}`)
        .join('L');
      out.push(
        `<path class="route-area" data-chain="${escapeXml(r.chain)}" data-provider="${escapeXml(p)}" d="M${top}L${bottom}Z" fill="${AREA_FILL[k % AREA_FILL.length]}" fill-opacity="0.75"><title>${escapeXml(`${r.chain}: ${p}`)}</title></path>`,
      );
    });
    out.push(`<path d="M${LEFT} ${y}h${PLOT}v${ROUTE_H}h-${PLOT}Z" fill="none" stroke="#8c959f"/>`);
    y += ROUTE_H + 4;
    let lx = LEFT;
    r.providers.forEach((p, k) => {
      out.push(
        `<rect x="${n(lx)}" y="${y}" width="10" height="10" fill="${AREA_FILL[k % AREA_FILL.length]}"/><text x="${n(lx + 14)}" y="${y + 9}" class="small">${escapeXml(p)}</text>`,
      );
      lx += 24 + p.length * 7;
    });
    y += 20;
  }

  // Alerts and operator actions
  for (const [name, kinds] of [
    ['alerts', ['alert', 'probe-failed']],
    ['actions', ['action']],
  ] as const) {
    label(name, y + 12);
    out.push(`<line x1="${LEFT}" y1="${y + LANE / 2}" x2="${LEFT + PLOT}" y2="${y + LANE / 2}" stroke="#d0d7de"/>`);
    for (const m of c.marks.filter((k) => (kinds as readonly string[]).includes(k.kind))) {
      const cx = x(m.at);
      const shape =
        name === 'alerts'
          ? `<path class="mark alert" d="M${n(cx)} ${y + 3}l5 11h-10Z" fill="${MARK_FILL[m.kind]}">`
          : `<rect class="mark action" x="${n(cx - 4)}" y="${y + 5}" width="8" height="8" transform="rotate(45 ${n(cx)} ${y + 9})" fill="${MARK_FILL.action}">`;
      out.push(`${shape}<title>${escapeXml(`${m.at} ${m.label}`)}</title>${name === 'alerts' ? '</path>' : '</rect>'}`);
    }
    y += LANE + 4;
  }

  // Time axis and the KPI moments.
  const step = tickStep(t1 - t0);
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const tx = LEFT + ((t - t0) / (t1 - t0)) * PLOT;
    out.push(
      `<line x1="${n(tx)}" y1="${y}" x2="${n(tx)}" y2="${y + 4}" stroke="#57606a"/><text x="${n(tx)}" y="${y + 16}" text-anchor="middle" class="small">${clock(t, step)}</text>`,
    );
  }
  out.push(`<line x1="${LEFT}" y1="${y}" x2="${LEFT + PLOT}" y2="${y}" stroke="#57606a"/>`);
  c.moments.forEach((m, i) => {
    const mx = x(m.at);
    out.push(
      `<line class="moment" x1="${n(mx)}" y1="${plotTop - 4}" x2="${n(mx)}" y2="${y}" stroke="#1f2328" stroke-dasharray="3 3"><title>${escapeXml(`${m.label} ${m.at}`)}</title></line>`,
    );
    out.push(
      `<text x="${n(mx)}" y="${plotTop - 6 - (i % 3) * 10}" text-anchor="middle" class="small">${escapeXml(m.label)}</text>`,
    );
  });
  y += 36;

  // KPIs
  out.push(`<text x="${LEFT}" y="${y}" class="lane" text-anchor="start">Failover KPIs (runbook targets)</text>`);
  y += 4;
  for (const k of c.kpis) {
    y += 16;
    const colour = k.verdict === 'met' ? '#1a7f37' : k.verdict === 'missed' ? '#cf222e' : '#6e7781';
    out.push(
      `<text x="${LEFT}" y="${y}" class="small kpi">${escapeXml(`${k.label}: ${k.value} (target ${k.target}) `)}<tspan fill="${colour}" font-weight="600">${escapeXml(k.verdict)}</tspan></text>`,
    );
  }
  y += 12;

  const head = `<text x="10" y="16" class="title">${escapeXml(`${c.id} — ${c.title}`)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${y}" width="${W}" height="${y}" role="img" aria-label="${escapeXml(`Timeline of incident ${c.id}`)}" ${FONT} font-size="11">`,
    `<title>${escapeXml(`Timeline of incident ${c.id}: ${c.title}`)}</title>`,
    '<style>.title{font-size:13px;font-weight:600;fill:#1f2328}.lane{font-size:11px;fill:#1f2328}.small{font-size:10px;fill:#57606a}</style>',
    `<rect width="${W}" height="${y}" fill="#ffffff"/>`,
    head,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
