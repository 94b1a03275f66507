import { setTimeout as sleep } from 'node:timers/promises';
import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import { GraphQLError } from 'graphql';
import type { ReceivedResponse, SendUpstream } from './received-response.ts';
import type { RetryBudget } from './retry-budget.ts';

/** Options of {@link withRetries}. */
export interface RetryOptions {
  /** Most retries after the first attempt. */
  attempts: number;
  /** The call's deadline, from its start, in milliseconds: no attempt and no wait goes past it. */
  timeout: number;
  /** Time allowed for one attempt, in milliseconds (at most `timeout`). */
  attemptTimeout: number;
  /** Median first wait and longest wait between attempts, in milliseconds. */
  backoff: number;
  maxBackoff: number;
  /** The source's budget, shared by all its calls. */
  budget: RetryBudget;
}

/** The answers worth a second attempt: a gateway or proxy in front of the service gave up or is overloaded. */
const retryableStatuses = new Set([502, 503, 504]);

/**
 * Tries reading calls again (GET, HEAD, `readOnly`) when they fail in a way another attempt may
 * mend, on another instance when the source has one in rotation (every attempt shares the call's
 * `tried` set); see {@link RetriesConfig} in resilience-config.ts. Every call, retried or not, gets the
 * whole deadline `timeout`; each attempt gets `attemptTimeout` of what is left of it. The waits
 * follow cockatiel's exponential backoff with decorrelated jitter.
 *
 * Written by hand rather than with cockatiel's `retry()`, whose attempts know neither a budget
 * shared across calls nor a deadline that the next wait must not cross: here both are asked
 * before each wait, and a refused retry returns the last outcome as it was.
 */
export function withRetries(send: SendUpstream, options: RetryOptions): SendUpstream {
  const { attempts, timeout, attemptTimeout, budget } = options;
  const backoff = new ExponentialBackoff({ initialDelay: options.backoff, maxDelay: options.maxBackoff });
  return async (request) => {
    budget.recordCall();
    const reading = request.method === 'GET' || request.method === 'HEAD' || request.readOnly === true;
    const deadline = performance.now() + Math.min(timeout, request.deadline ?? timeout);
    // One copy for every attempt: `send` reads it when called, and each attempt sets its own timeout.
    // Copied, then given its fields, not spread into a literal with them: on Node 20 a spread copy
    // that takes more properties made the collector promote what it points to (see bindRun).
    const call: Parameters<SendUpstream>[0] = Object.assign({}, request);
    call.tried ??= new Set<string>();
    // The backoff's state is made when a first retry is considered: most calls never need it.
    let wait: IBackoff<unknown> | undefined;
    for (let attempt = 0; ; attempt++) {
      call.timeout = Math.min(attemptTimeout, Math.max(1, Math.ceil(deadline - performance.now())));
      let response: ReceivedResponse | undefined;
      let failure: unknown;
      try {
        response = await send(call);
      } catch (error) {
        failure = error;
      }
      const retryable = response === undefined ? isRetryableFailure(failure) : retryableStatuses.has(response.status);
      if (reading && attempt < attempts && retryable) {
        wait = (wait ?? backoff.next()).next(undefined);
        if (performance.now() + wait.duration < deadline && budget.tryRetry()) {
          await sleep(wait.duration);
          continue;
        }
      }
      if (response === undefined) throw failure;
      return response;
    }
  };
}

/**
 * A call that failed with no answer in time, no answer at all, or a 502, 503 or 504 answer that
 * could not be read (a readable one is judged by its status). Errors that are not ours (a bug) and
 * fast failures of an open circuit are never retried.
 */
function isRetryableFailure(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  const { code, upstreamStatus } = error.extensions;
  if (code === 'GATEWAY_TIMEOUT') return true;
  return code === 'DOWNSTREAM_SERVICE_ERROR' && (upstreamStatus === undefined || retryableStatuses.has(upstreamStatus as number));
}
