// The CLI's operator commands talk to the HTTP API (so they work against a remote deployment and go
// through the same auth and validation as every other client).
import { request } from 'undici';

export interface ApiTarget {
  url: string;
  token?: string;
}

export async function callApi(target: ApiTarget, method: 'GET' | 'POST', path: string, body?: unknown, accept = 'application/json') {
  const res = await request(target.url.replace(/\/$/, '') + path, {
    method,
    headers: {
      accept,
      ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  if (res.statusCode >= 400) {
    let msg = text;
    try {
      const j = JSON.parse(text) as { error?: string; issues?: { path: string; message: string }[] };
      msg = [j.error, ...(j.issues ?? []).map((i) => `  ${i.path}: ${i.message}`)].filter(Boolean).join('\n');
    } catch {
      /* not JSON: show as is */
    }
    throw new Error(`${method} ${path} → ${res.statusCode}: ${msg}`);
  }
  return accept === 'application/json' ? JSON.parse(text) : text;
}
