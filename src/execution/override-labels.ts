import { stickyPercentile } from '../transport/sticky-share.ts';

/** How {@link decideOverrideLabels} decides the labels of progressive `@override`s. */
export interface OverrideLabelOptions {
  /**
   * The random source `percent(n)` labels are drawn from: a number in [0, 1), as `Math.random` gives.
   * Tests pass a constant to force a label on (`() => 0`) or off (`() => 0.999`). Without it, a
   * request whose caller is known draws from the caller instead (sticky, see {@link decideOverrideLabels}).
   * @default Math.random, for requests without a caller
   */
  random?: () => number;
  /**
   * Whether a label that is not `percent(n)` (`"beta"`) is active for the request: the gateway has no
   * rule of its own for them.
   * @default () => false
   */
  isActive?: (label: string) => boolean;
}

const percentLabel = /^percent\((\d+(?:\.\d+)?)\)$/;

/**
 * The progressive `@override` labels active for one request (`@override(from: "a", label:
 * "percent(20)")`: the overriding subgraph answers while the label is active, the other while it is
 * not). `percent(n)` is active for n% of the callers: the draw is the caller's sticky percentile
 * (FNV-1a of `caller`, as for a source's versions), so one consumer (or client address) sees the
 * same subgraph answer the field on every request and every replica while a migration progresses.
 * The percentile is the caller's for every label, so raising `percent(10)` to `percent(20)` keeps
 * the callers already moved (the label's text changes, the percentile does not), and the callers
 * below 10 are the first of every progressive override. Without a caller, or with an injected
 * `random`, it is one draw per label and request. Either way every field one label decides agrees
 * within a request, and the plan made for that set of labels is the one used (plans are cached per
 * {@link overrideLabelKey}). Other labels are active as `isActive` says.
 */
export function decideOverrideLabels(
  labels: readonly string[],
  { random, isActive = () => false }: OverrideLabelOptions = {},
  caller?: string,
): ReadonlySet<string> {
  const active = new Set<string>();
  const sticky = random === undefined && caller !== undefined ? stickyPercentile(`${caller}\u0000@override`) : undefined;
  for (const label of labels) {
    const percent = percentLabel.exec(label)?.[1];
    if (percent === undefined ? isActive(label) : (sticky ?? (random ?? Math.random)() * 100) < Number(percent)) active.add(label);
  }
  return active;
}

/** The part of a plan's cache key the active labels make: `""` when none is active. */
export function overrideLabelKey(active: ReadonlySet<string>): string {
  return [...active].sort().join('\u0000');
}
