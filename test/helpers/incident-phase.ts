// Waiting for an incident to reach a phase through the API. When it never gets there, the failure shows
// where it stood: its phase and the timeline's last entries (not the first 4,000 characters of its alerts).
import { waitFor } from './wait';

type Answer = { status: number; body: any };

export async function waitForPhase(
  read: () => Promise<Answer>,
  id: string,
  phase: string,
  timeoutMs: number,
  everyMs = 200,
): Promise<Answer> {
  try {
    return await waitFor(read, (r) => r.body?.phase === phase, `${id} in phase ${phase}`, timeoutMs, everyMs);
  } catch (err) {
    const now = await read().catch((e: Error) => ({ status: 0, body: { error: e.message } }));
    const timeline = ((now.body?.timeline ?? []) as { at: string; type: string; message: string }[])
      .slice(-25)
      .map((e) => `  ${e.at} ${e.type}: ${e.message}`)
      .join('\n');
    (err as Error).message =
      `${id} not in phase ${phase} after ${timeoutMs} ms: HTTP ${now.status}, phase ${now.body?.phase ?? '?'}, ` +
      `status ${now.body?.status ?? '?'}${now.body?.error ? ` (${now.body.error})` : ''}; timeline (last 25):\n${timeline}`;
    throw err;
  }
}
