// Tests that run lifeline as OS processes (crash, cluster) keep each process's log in the test's directory,
// which is removed afterwards, and CI keeps only the test output. A failing test therefore carries the
// warnings and errors each process logged in its own message.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The warn-and-above lines of every `*.log` in `dir`, the last `lines` of each. */
export function processLogTails(dir: string, lines = 40): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => {
      const kept = readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => /"level":(40|50|60)|WARN|ERROR|Error/.test(l))
        .slice(-lines);
      return `--- ${f} (${kept.length} lines)\n${kept.map((l) => l.slice(0, 600)).join('\n')}`;
    })
    .join('\n');
}

/** `test(name, body, timeoutMs)` whose failure message ends with the processes' log tails from `dir()`. */
export function testWithProcessLogs(
  name: string,
  dir: () => string,
  body: () => Promise<void>,
  timeoutMs?: number,
): void {
  test(
    name,
    async () => {
      try {
        await body();
      } catch (err) {
        const e = err as Error;
        e.message += `\n\nprocess logs (warn and above, last 40 lines each):\n${processLogTails(dir())}`;
        throw e;
      }
    },
    timeoutMs,
  );
}
