// A minimal server-sent-events parser. Hand-written (rather than `eventsource-parser`) so the package keeps
// zero runtime dependencies; lifeline's stream uses only `event`, `id`, `data` and `: ping` comment lines,
// and this follows the WHATWG rules for those (any line ending, multi-line data, comments ignored).

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

export function createSseParser(onEvent: (e: SseEvent) => void): { feed(chunk: string): void } {
  let buffer = '';
  let event = '';
  let id: string | undefined;
  let data: string[] = [];
  const line = (l: string) => {
    if (l === '') {
      if (data.length) onEvent({ event: event || 'message', id, data: data.join('\n') });
      event = '';
      data = [];
      return;
    }
    if (l.startsWith(':')) return; // comment (keep-alive ping)
    const colon = l.indexOf(':');
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  };
  return {
    feed(chunk: string) {
      let text = buffer + chunk;
      // A trailing '\r' may be the first half of a '\r\n' split across chunks: keep it for the next one.
      const held = text.endsWith('\r') ? '\r' : '';
      if (held) text = text.slice(0, -1);
      const parts = text.split(/\r\n|\r|\n/);
      buffer = (parts.pop() ?? '') + held;
      for (const p of parts) line(p);
    },
  };
}
