// The CLI's operator commands talk to the HTTP API (so they work against a remote deployment and go
// through the same auth and validation as every other client). Failures become CliErrors with an exit
// code and a hint (cli/errors.ts).
import { request } from 'undici';
import { apiFailure, connectionFailure } from './errors';

export interface ApiTarget {
  url: string;
  token?: string;
}

export async function callApi(
  target: ApiTarget,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  accept = 'application/json',
) {
  let res;
  try {
    res = await request(target.url.replace(/\/$/, '') + path, {
      method,
      headers: {
        accept,
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      headersTimeout: 30_000,
    });
  } catch (err) {
    throw connectionFailure(err, target.url) ?? err;
  }
  const text = await res.body.text();
  if (res.statusCode >= 400) {
    let error = text;
    let issues: { path: string; message: string }[] = [];
    try {
      const j = JSON.parse(text) as { error?: string; issues?: { path: string; message: string }[] };
      error = j.error ?? text;
      issues = j.issues ?? [];
    } catch {
      /* not JSON: show as is */
    }
    throw apiFailure(res.statusCode, error, issues, target.url);
  }
  return accept === 'application/json' ? JSON.parse(text) : text;
}
