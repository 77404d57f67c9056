import { request } from 'undici';
import { errText } from './errors';

export interface ProbeResult {
  reachable: boolean;
  detail: string;
  ms: number;
}

/**
 * HTTPS HEAD against `url` with a hard deadline: any HTTP response means reachable; DNS/connect/TLS errors or the
 * deadline mean unreachable. Never takes (much) longer than `timeoutMs`.
 */
export async function probeReachable(url: string, timeoutMs: number): Promise<ProbeResult> {
  const started = Date.now();
  const result = (reachable: boolean, detail: string) => ({ reachable, detail, ms: Date.now() - started });
  try {
    const res = await request(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    await res.body.dump();
    return result(true, `HTTP ${res.statusCode}`);
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError' || Date.now() - started >= timeoutMs;
    return result(false, timedOut ? `no answer within ${timeoutMs} ms` : errText(err));
  }
}
