/** How many retries a source may still make; see {@link createRetryBudget}. */
export interface RetryBudget {
  /** Counts one call (a first attempt), which earns a share of a retry. */
  recordCall(): void;
  /** Spends one retry and answers `true`, or answers `false` when the budget is spent. */
  tryRetry(): boolean;
}

/** Retries a quiet source may save up, so that a burst after a calm spell is still bounded. */
const savedRetries = 10;

/**
 * A token bucket of retries: every call adds `percent / 100` of a token, every retry takes one
 * whole token, and the bucket holds at most {@link savedRetries}. Over any long stretch, retries
 * are then at most `percent` of calls (plus the saved ones), so a struggling service is never sent
 * more than that much extra traffic, however many callers fail at once. The bucket starts with
 * one token, so a lone failure soon after start-up may still be retried. Tokens are counted in
 * hundredths, in integers, so the arithmetic is exact.
 */
export function createRetryBudget(percent: number): RetryBudget {
  let hundredths = 100;
  return {
    recordCall() {
      hundredths = Math.min(savedRetries * 100, hundredths + percent);
    },
    tryRetry() {
      if (hundredths < 100) return false;
      hundredths -= 100;
      return true;
    },
  };
}
