/** One instance of a source as discovery finds it: the URL calls go to, and its share of them. */
export interface InstanceSpec {
  /** The instance's URL, as a source's `url`: `http://10.0.0.7:4001/graphql`. */
  url: string;
  /** Relative share of the source's calls (SRV weight, or the announced `weight`). */
  weight: number;
}

/** Whether two instance lists hold the same URLs with the same weights (both sorted by URL). */
export function sameInstances(a: readonly InstanceSpec[], b: readonly InstanceSpec[]): boolean {
  return a.length === b.length && a.every((instance, index) => instance.url === b[index]?.url && instance.weight === b[index]?.weight);
}

/** The list sorted by URL, each URL once (the first weight found wins). */
export function sortedInstances(list: Iterable<InstanceSpec>): InstanceSpec[] {
  const byUrl = new Map<string, InstanceSpec>();
  for (const instance of list) if (!byUrl.has(instance.url)) byUrl.set(instance.url, instance);
  return [...byUrl.values()].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}
