/** Setter names of a hook's payload, each with the payload field it replaces. */
export type Relayed<P> = readonly (readonly [setter: keyof P & string, field: keyof P & string])[];

/**
 * A copy of a hook's payload for hooks that run in one loop (see mergeServerHooks and
 * mergeExecuteHooks): each setter in `relayed` still calls the original, and also writes its first
 * argument to the copy's field, so that the later hooks of the loop see it, as they would see it
 * in the payload Yoga or envelop builds for each hook.
 *
 * The setters are bound functions, not closures, like everything these loops make per request (see
 * {@link bindRun}): closures made here for every request, capturing the payload, made V8 keep
 * request objects through young-generation collections. With them, the example shop's gateway
 * promoted about 4.4 MB to the old generation at each scavenge under load, against 0.3 MB without
 * (`--trace-gc-nvp`, `npm run bench:gc`), and spent three times as long scavenging.
 */
export function relayPayload<P extends object>(outer: P, relayed: Relayed<P>): P {
  const payload = { ...outer } as Record<string, unknown>;
  for (const [setter, field] of relayed) payload[setter] = bindRun(relay, { payload, field, original: outer[setter] as Setter });
  return payload as P;
}

type Setter = (...args: unknown[]) => unknown;

function relay(run: { payload: Record<string, unknown>; field: string; original: Setter }, ...args: unknown[]): unknown {
  run.payload[run.field] = args[0];
  return run.original(...args);
}

/**
 * `fn` with its first argument bound to `run`: what the merged hook loops hand to hooks instead of
 * a closure over per-request state (see {@link relayPayload} for why).
 */
export function bindRun<R, A extends unknown[], T>(fn: (run: R, ...args: A) => T, run: R): (...args: A) => T {
  return fn.bind(undefined, run);
}
