/**
 * The source options a service version may carry. Headers and TLS are not among them: they hold
 * secrets and differ per environment, so they stay in the gateway config.
 */
export const serviceOptionKeys = [
  'timeout',
  'forwardHeaders',
  'connections',
  'batch',
  'maxBatchSize',
  'httpCache',
  'dedupeInFlight',
  'retries',
  'breaker',
  'loadBalancing',
  'healthCheck',
  'outlierDetection',
] as const;
