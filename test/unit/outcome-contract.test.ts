// The route client package keeps its own copy of the POST /v1/outcomes item (it depends on nothing of the
// service); this holds the copy to the service's schema, so the two cannot drift apart unnoticed.
import type { ErrorType, Outcome } from '../../clients/typescript/src';
import { outcomesBody, type RequestOutcome } from '../../api/outcomes';
import { OUTCOME_ERROR_TYPES, type OutcomeErrorType } from '../../domain/outcome-counts';

// Compile-time (npx tsc): the same fields, the same optionality, the same error types, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
const sameItem: Same<Required<Outcome>, Required<RequestOutcome>> = true;
const sameOptional: Same<OptionalKeys<Outcome>, OptionalKeys<RequestOutcome>> = true;
const sameErrorTypes: Same<ErrorType, OutcomeErrorType> = true;

test('the schema accepts every field of a client outcome, every error type included', () => {
  expect([sameItem, sameOptional, sameErrorTypes]).toEqual([true, true, true]);
  const outcomes: Outcome[] = OUTCOME_ERROR_TYPES.map((errorType, i) => ({
    requestId: `r${i}`,
    chain: 'chat',
    provider: 'openai',
    at: '2026-01-01T00:00:00.000Z',
    latencyMs: 120,
    ok: false,
    status: 503,
    errorType,
    final: true,
    trial: true,
  }));
  const parsed = outcomesBody.parse({ outcomes });
  expect(parsed.outcomes).toEqual(outcomes);
});
