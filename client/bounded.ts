// Runs Temporal client calls under a deadline: at the deadline their gRPC calls are cancelled and the
// caller hears a timeout even if a call ignores the cancellation. The timer is cleared as soon as `fn`
// settles, so nothing fires (or rejects) after the answer — a health check or a scrape leaves no stray
// timers behind.
import type { Client } from '@temporalio/client';

export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

export async function withinDeadline<T>(client: Client | null, ms: number, fn: () => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineExceeded(ms));
    }, ms);
  });
  try {
    return await Promise.race([client ? client.withAbortSignal(controller.signal, fn) : fn(), expired]);
  } finally {
    clearTimeout(timer);
  }
}
