/** Thrown when every resolution step failed; `message` says what to install. */
export class TemporalBinaryNotFoundError extends Error {
  constructor(
    message: string,
    readonly attempts: Record<string, string[]>,
  ) {
    super(message);
    this.name = 'TemporalBinaryNotFoundError';
  }
}

/** One fetch step did not produce a binary; the resolver notes it and tries the next step. */
export class StepFailed extends Error {}

export function errText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = (err as { cause?: unknown }).cause;
    const base = code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
    return cause instanceof Error && !base.includes(cause.message) ? `${base}: ${errText(cause)}` : base;
  }
  return String(err);
}

export function secs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
