// Server-sent events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html): pure text.
// A `data` value is JSON on one line, so no payload can end an event early or forge a field.

/** One event: `event:`, `id:` and `data:` lines closed by a blank line. */
export function sseEvent(event: string, id: string | number, data: unknown): string {
  const line = (s: string) => s.replace(/[\r\n]+/g, ' ');
  return `event: ${line(event)}\nid: ${line(String(id))}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: keeps proxies and idle timeouts from closing a quiet stream; clients ignore it. */
export const SSE_PING = ': ping\n\n';
