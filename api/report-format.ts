// Content negotiation for reports: Markdown, HTML or JSON by the Accept header (q-values honoured);
// anything else, or no header, gets JSON.
export type ReportFormat = 'md' | 'html' | 'json';

const TYPES: Record<string, ReportFormat> = { 'text/markdown': 'md', 'text/html': 'html', 'application/json': 'json' };
export const CONTENT_TYPES: Record<ReportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export function reportFormatFor(accept: string | undefined): ReportFormat {
  const ranked = (accept ?? '')
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { type: type.trim(), q: q ? Number(q.slice(2)) || 0 : 1, i };
    })
    .filter((x) => x.q > 0 && x.type in TYPES)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.length ? TYPES[ranked[0].type] : 'json';
}
