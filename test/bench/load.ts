/**
 * One load run with autocannon from the bench's own process. Latency percentiles are computed here
 * from every response's time in fractional milliseconds (autocannon's own histogram keeps whole
 * milliseconds, too coarse for a 1 ms budget).
 */
import autocannon from 'autocannon';

/** An HTTP request to repeat. */
export interface LoadTarget {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  /** The 2xx body every answer must have (taken from the correctness check); another one counts as wrong. */
  expectedBody?: string;
}

/** What one run measured. */
export interface LoadResult {
  seconds: number;
  connections: number;
  /** Completed requests (any status). */
  requests: number;
  /** Requests sent, including those still unanswered when the window closed. */
  sent: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Socket errors and timeouts. */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** 2xx answers whose body differed from `expectedBody`. */
  wrongBodies: number;
}

/** Drives `target` with `connections` keep-alive connections for `seconds`. */
export function runLoad(target: LoadTarget, seconds: number, connections: number): Promise<LoadResult> {
  const times: number[] = [];
  let lastStatus = 0;
  return new Promise<LoadResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: target.method,
        headers: target.headers,
        body: target.body,
        connections,
        duration: seconds,
        pipelining: 1,
        timeout: 10,
        // autocannon emits `response` and then calls verifyBody synchronously for the same answer,
        // so `lastStatus` is that answer's status: only 2xx bodies are compared (others count as non-2xx).
        ...(target.expectedBody === undefined ? {} : { verifyBody: (body: string) => lastStatus < 200 || lastStatus >= 300 || body === target.expectedBody }),
      },
      (error, result) => {
        if (error) return reject(error);
        times.sort((a, b) => a - b);
        const total = result.requests.total;
        resolve({
          seconds: result.duration,
          connections,
          requests: total,
          sent: result.requests.sent,
          rps: result.duration > 0 ? total / result.duration : 0,
          p50Ms: percentile(times, 50),
          p90Ms: percentile(times, 90),
          p99Ms: percentile(times, 99),
          meanMs: times.length ? times.reduce((sum, time) => sum + time, 0) / times.length : Number.NaN,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          wrongBodies: result.mismatches,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      lastStatus = statusCode;
      times.push(responseTime);
    });
  });
}

/**
 * One scenario's windows of several rounds as one result: counts and seconds added up (so `rps`
 * is over all of them), latency percentiles and mean the median of the windows' own.
 */
export function combineWindows(windows: readonly LoadResult[]): LoadResult {
  const total = (pick: (window: LoadResult) => number) => windows.reduce((sum, window) => sum + pick(window), 0);
  const median = (pick: (window: LoadResult) => number) => {
    const sorted = windows.map(pick).sort((a, b) => a - b);
    return sorted.length === 0 ? Number.NaN : (sorted[Math.floor((sorted.length - 1) / 2)] as number);
  };
  const seconds = total((window) => window.seconds);
  const requests = total((window) => window.requests);
  return {
    seconds,
    connections: windows[0]?.connections ?? 0,
    requests,
    sent: total((window) => window.sent),
    rps: seconds > 0 ? requests / seconds : 0,
    p50Ms: median((window) => window.p50Ms),
    p90Ms: median((window) => window.p90Ms),
    p99Ms: median((window) => window.p99Ms),
    meanMs: median((window) => window.meanMs),
    errors: total((window) => window.errors),
    timeouts: total((window) => window.timeouts),
    non2xx: total((window) => window.non2xx),
    wrongBodies: total((window) => window.wrongBodies),
  };
}

/** Nearest-rank percentile of sorted values; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
