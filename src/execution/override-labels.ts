/** How {@link decideOverrideLabels} decides the labels of progressive `@override`s. */
export interface OverrideLabelOptions {
  /**
   * The random source `percent(n)` labels are drawn from: a number in [0, 1), as `Math.random` gives.
   * Tests pass a constant to force a label on (`() => 0`) or off (`() => 0.999`).
   * @default Math.random
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
 * not). `percent(n)` is active with probability n/100: one draw per label and request, so every field
 * one label decides agrees within a request, and the plan made for that set of labels is the one
 * used (plans are cached per {@link overrideLabelKey}). Other labels are active as `isActive` says.
 */
export function decideOverrideLabels(labels: readonly string[], { random = Math.random, isActive = () => false }: OverrideLabelOptions = {}): ReadonlySet<string> {
  const active = new Set<string>();
  for (const label of labels) {
    const percent = percentLabel.exec(label)?.[1];
    if (percent === undefined ? isActive(label) : random() * 100 < Number(percent)) active.add(label);
  }
  return active;
}

/** The part of a plan's cache key the active labels make: `""` when none is active. */
export function overrideLabelKey(active: ReadonlySet<string>): string {
  return [...active].sort().join('\u0000');
}
