/**
 * Credentials that could not be read, signed with or exchanged for a token: an authentication failure of
 * the provider (lifeline cannot authenticate), not a network one. `reason` is a short machine word that
 * becomes the probe's errorType; the message names variables and endpoints, never secret values.
 */
export class CredentialError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'CredentialError';
  }
}
