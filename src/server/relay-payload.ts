/** Setter names of a hook's payload, each with the payload field it replaces. */
export type Relayed<P> = readonly (readonly [setter: keyof P & string, field: keyof P & string])[];

/**
 * A copy of a hook's payload for hooks that run in one loop (see mergeServerHooks and
 * mergeExecuteHooks): each setter in `relayed` still calls the original, and also writes its first
 * argument to the copy's field, so that the later hooks of the loop see it, as they would see it
 * in the payload Yoga or envelop builds for each hook.
 */
export function relayPayload<P extends object>(outer: P, relayed: Relayed<P>): P {
  const payload = { ...outer } as Record<string, unknown>;
  for (const [setter, field] of relayed) {
    const original = outer[setter] as (...args: unknown[]) => unknown;
    payload[setter] = (...args: unknown[]) => {
      payload[field] = args[0];
      return original(...args);
    };
  }
  return payload as P;
}
