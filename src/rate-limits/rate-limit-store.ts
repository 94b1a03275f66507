/** One counted attempt against a limit. */
export interface Hit {
  /** The counter: limit kind, caller and (for fields) the field identity. */
  key: string;
  windowMs: number;
  max: number;
  /** How many units this attempt counts for (1, a list length, or a cost). */
  weight: number;
  /**
   * Which attempts are recorded: every attempt (graphql-rate-limit's default: refused ones count
   * too), only allowed ones (`uncountRejected`), or none (`readOnly`).
   */
  record: 'always' | 'allowed' | 'never';
}

/** The verdict on one attempt. */
export interface HitResult {
  allowed: boolean;
  /** Units counted in the window, this attempt included when it was recorded. */
  used: number;
  /** Milliseconds until the window frees room again. */
  resetMs: number;
}

/**
 * Where counters live. Every operation is one atomic step, so any number of gateway replicas
 * sharing the store count exactly: there is no read-then-write between two replicas.
 */
export interface RateLimitStore {
  /** A sliding window (a log of timestamps): graphql-rate-limit's semantics, for field limits. */
  sliding(hit: Hit): Promise<HitResult>;
  /** A fixed window (one counter per window): cheap, for request and cost budgets of plans. */
  fixed(hit: Hit): Promise<HitResult>;
  close(): Promise<void>;
}
