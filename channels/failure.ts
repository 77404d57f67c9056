// Which delivery errors are worth retrying. Temporal retries the activity with backoff; errors that a
// retry cannot fix (bad credentials, a rejected payload, a broken template) stop at once.
import { ApplicationFailure } from '@temporalio/common';

export function permanent(channel: string, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${channel}: ${message}`, 'DeliveryRejected');
}

/** HTTP statuses: 408, 429 and 5xx are transient; any other 4xx is the request's fault. */
export function failureForStatus(channel: string, status: number, body: string): Error {
  const what = `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) return new Error(`${channel}: ${what}`);
  return permanent(channel, what);
}

export function requireSecret(channel: string, envName: string | undefined, env: NodeJS.ProcessEnv): string {
  const value = envName ? env[envName] : undefined;
  if (!value) throw permanent(channel, `environment variable ${envName ?? '(none configured)'} is not set`);
  return value;
}
