import { requestIdOf } from '../observability/request-id.ts';
import { firstDifference, type AnswerDifference } from './compare-answers.ts';
import type { FetchResult, OnFetch } from './fetch-hooks.ts';
import type { HttpClient, UpstreamRequest, UpstreamResponse } from './http-client.ts';
import { stickyPercentile } from './sticky-share.ts';
import type { NormalizedMirror } from './traffic-config.ts';

/**
 * How a shadow copy ended: `same` or `different` from the source's answer, `failed` (the shadow
 * could not be reached, timed out or answered something that is not JSON), `dropped` (not sent:
 * `maxInFlight` copies were in flight), `uncompared` (sent with `compare: false`).
 */
export type MirrorResult = 'same' | 'different' | 'failed' | 'dropped' | 'uncompared';

/** A shadow copy's outcome, as observers receive it (`FetchResult.mirror`). */
export interface MirrorOutcome {
  result: MirrorResult;
  /** For `different`: where the answers first differ. */
  difference?: AnswerDifference;
  /** Whether this difference is one to log: the first, then one per `logEvery`. */
  log?: boolean;
}

/** Options of {@link withMirror}. */
export interface MirrorOptions extends Pick<NormalizedMirror, 'percent' | 'mutations' | 'maxInFlight' | 'compare' | 'ignore' | 'logEvery'> {
  /** The source's name. */
  service: string;
  /** The shadow's origin, as observers see the copies' instance. */
  instance: string;
  /** Observers of the copies: they see each as a call with `mirror: true`, and its outcome in the result. */
  onFetch?: OnFetch;
  /**
   * Draws for calls made without a client request (none has a request id), in [0, 1).
   * @default Math.random
   */
  random?: () => number;
}

/**
 * A source's client that copies a share of its reading calls to a shadow and compares the
 * answers. The copy is sent once the source has answered (a call that failed has nothing to be
 * compared with, and is not copied), in the background: the caller gets the source's answer at
 * once, and never a shadow's error. Which calls are copied follows the client request's id
 * (FNV-1a of id and source, as a percentile below `percent`), so all of a request's calls are
 * copied or none; reads only (GET, HEAD, `readOnly` GraphQL queries) unless `mutations`. The shadow
 * client is the caller's to build without retries, breaker or cache, so copies never spend the
 * source's retry budget nor move its breaker. Plain routes (`proxy`) are not copied: their bodies
 * stream through once.
 */
export function withMirror(primary: HttpClient, shadow: HttpClient, options: MirrorOptions): HttpClient {
  const { service, instance, onFetch, percent, mutations, maxInFlight, compare, ignore, logEvery, random = Math.random } = options;
  let inFlight = 0;
  let differences = 0;

  const copied = (call: UpstreamRequest): boolean => {
    const reads = call.method === 'GET' || call.method === 'HEAD' || call.readOnly === true;
    if (!(reads || mutations) || percent <= 0) return false;
    const id = call.origin && requestIdOf(call.origin);
    return (id === undefined ? random() * 100 : stickyPercentile(`${id}\u0000${service}`)) < percent;
  };
  const outcomeOf = (answer: UpstreamResponse, copy: UpstreamResponse): MirrorOutcome => {
    if (!compare) return { result: 'uncompared' };
    const difference = firstDifference(answer, copy, ignore);
    if (!difference) return { result: 'same' };
    differences += 1;
    return { result: 'different', difference, log: (differences - 1) % logEvery === 0 };
  };
  const send = (call: UpstreamRequest, answer: UpstreamResponse): void => {
    const headers = { ...call.headers };
    const done = onFetch?.({ service, instance, method: call.method, path: call.path, headers, ...(call.origin ? { origin: call.origin } : {}), mirror: true });
    const report = (result: FetchResult) => {
      try {
        done?.(result);
      } catch (error) {
        process.emitWarning(error as Error);
      }
    };
    if (inFlight >= maxInFlight) return report({ durationMs: 0, mirror: { result: 'dropped' } });
    inFlight += 1;
    const started = performance.now();
    const { origin: _origin, ...copy } = call;
    shadow.request({ ...copy, headers }).then(
      (copyAnswer) => {
        inFlight -= 1;
        report({ status: copyAnswer.status, durationMs: performance.now() - started, mirror: outcomeOf(answer, copyAnswer) });
      },
      (error: Error) => {
        inFlight -= 1;
        report({ error, durationMs: performance.now() - started, mirror: { result: 'failed' } });
      },
    );
  };

  return {
    ...primary,
    async request(call) {
      const answer = await primary.request(call);
      // A snapshot: the engine merges other services' answers into the objects it is given.
      if (copied(call)) send(call, compare ? { status: answer.status, body: structuredClone(answer.body) } : answer);
      return answer;
    },
    close: async () => {
      await Promise.all([primary.close(), shadow.close()]);
    },
  };
}
