import https from 'node:https';
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
export function probeReachable(url: string, timeoutMs: number): Promise<ProbeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (reachable: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ reachable, detail, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done(false, `no answer within ${timeoutMs} ms`), timeoutMs);
    const req = https.request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      done(true, `HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => done(false, `no answer within ${timeoutMs} ms`));
    req.on('error', (err) => done(false, errText(err)));
    req.end();
  });
}
