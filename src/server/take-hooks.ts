/**
 * The hooks of `kinds` the plugins have, in plugin order, and the plugins without them: for one
 * plugin that runs each kind's hooks in one loop (see mergeServerHooks and mergeExecuteHooks).
 * A plugin with none of them is kept as it is.
 */
export function takeHooks<P, K extends string>(plugins: readonly P[], kinds: readonly K[]): { hooks: Record<K, unknown[]>; rest: P[] } {
  const hooks = Object.fromEntries(kinds.map((kind) => [kind, [] as unknown[]])) as Record<K, unknown[]>;
  const rest = plugins.map((plugin) => {
    const record = plugin as Record<string, unknown>;
    if (!kinds.some((kind) => record[kind])) return plugin;
    const others = { ...record };
    for (const kind of kinds) {
      if (record[kind]) hooks[kind].push(record[kind]);
      delete others[kind];
    }
    return others as P;
  });
  return { hooks, rest };
}
