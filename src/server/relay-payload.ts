import { bindRun } from '../bind-run.ts';

/** Setter names of a hook's payload, each with the payload field it replaces. */
export type Relayed<P> = readonly (readonly [setter: keyof P & string, field: keyof P & string])[];

/**
 * A copy of a hook's payload for hooks that run in one loop (see mergeServerHooks and
 * mergeExecuteHooks): each setter in `relayed` still calls the original, and also writes its first
 * argument to the copy's field, so that the later hooks of the loop see it, as they would see it
 * in the payload Yoga or envelop builds for each hook.
 *
 * The setters are bound functions, not closures, like everything these loops make per request (see
 * {@link bindRun} for why).
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
