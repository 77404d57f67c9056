// A returning provider's outcome evidence as its monitor holds it (read-only: a query, no side effects).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ProviderEvidence } from '../domain/provider-evidence';
import { monitorWorkflowId, providerEvidenceQuery } from '../workflows/messages';

/** Null when the provider has no monitor (nothing to judge by). */
export async function providerEvidence(
  client: Client,
  provider: string,
  sinceMs: number,
): Promise<ProviderEvidence | null> {
  try {
    return await client.workflow.getHandle(monitorWorkflowId(provider)).query(providerEvidenceQuery, { sinceMs });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}
