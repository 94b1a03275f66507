import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, handleWhen, SamplingBreaker, type CircuitBreakerPolicy } from 'cockatiel';
import { GraphQLError } from 'graphql';
import { gatewayError } from '../errors.ts';
import type { ReceivedResponse, SendUpstream } from './received-response.ts';
import type { NormalizedBreaker } from './resilience-config.ts';

/**
 * Puts one source's calls behind a circuit breaker (cockatiel's `ConsecutiveBreaker`, or its
 * `SamplingBreaker` with `failureRate`). Each attempt is one outcome, so retries count too; a
 * failure is an error of the call other than a readable 4xx, or a 5xx answer. While the circuit
 * is open, calls fail at once with `SERVICE_UNAVAILABLE` naming the service, and retries stop.
 *
 * The circuit's clock is cockatiel's own (`Date.now()`); tests move it with `mock.timers`.
 */
export function withCircuitBreaker(send: SendUpstream, service: string, options: Exclude<NormalizedBreaker, false>): SendUpstream {
  const policy = createPolicy(options);
  return async (request) => {
    try {
      return await policy.execute(() => send(request));
    } catch (error) {
      if (!(error instanceof BrokenCircuitError)) throw error;
      throw gatewayError('SERVICE_UNAVAILABLE', `Service "${service}" is unavailable: its circuit is open after repeated failures.`, {
        rejectsRequest: false,
        extensions: { service },
      });
    }
  };
}

function createPolicy(options: Exclude<NormalizedBreaker, false>): CircuitBreakerPolicy {
  const breaker =
    'threshold' in options ? new ConsecutiveBreaker(options.threshold) : new SamplingBreaker({ threshold: options.failureRate, duration: options.window });
  const failures = handleWhen(isFailure).orWhenResult((response) => (response as ReceivedResponse).status >= 500);
  return circuitBreaker(failures, { halfOpenAfter: options.halfOpenAfter, breaker });
}

/** Thrown errors count, but a client error the service answered unreadably (a 4xx with HTML) does not. */
function isFailure(error: Error): boolean {
  const status = error instanceof GraphQLError ? error.extensions['upstreamStatus'] : undefined;
  return typeof status !== 'number' || status >= 500;
}
