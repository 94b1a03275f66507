import type { NormalizedSource } from '../config/normalize-config.ts';
import type { OnFetch } from './fetch-hooks.ts';
import type { HttpClient } from './http-client.ts';
import type { InstancePools } from './instance-pools.ts';
import type { InstanceSpec } from './instances-config.ts';
import { stableVersion } from './traffic-config.ts';
import { withMirror } from './with-mirror.ts';
import { createVersionChooser, observeVersion, withVersions } from './with-versions.ts';

/** Builds the client of a source that has neither versions nor a mirror (`createSourceClient`). */
export type BuildClient = (source: NormalizedSource, onFetch?: OnFetch, pools?: InstancePools) => HttpClient;

/**
 * The client of a source with `versions` or a `mirror`, or `undefined` for a source with neither.
 * Each version, the stable one included, is a whole client built by `build` from the source with
 * the version's instances, headers and timeout (pools, balancing, retries and breaker of its own),
 * its calls observed with their `version`. The mirror wraps them all: it copies the calls of
 * whichever version answered, to a shadow client with no retries, breaker, cache or dedupe.
 * The gateway's `pools` (kept per source name across schema swaps) serve the stable version only:
 * the other versions and the shadow have pools of their own, closed with the client.
 */
export function splitTraffic(source: NormalizedSource, onFetch: OnFetch | undefined, build: BuildClient, pools?: InstancePools): HttpClient | undefined {
  const { versions: split, mirror, ...plain } = source;
  if (!split && !mirror) return undefined;
  let client: HttpClient;
  if (split) {
    const chooser = createVersionChooser(source.name, split.versions, split.override);
    const clients = new Map([[stableVersion, build(plain, observeVersion(onFetch, stableVersion, chooser), pools)]]);
    for (const version of split.versions) {
      const timeout = version.timeout ?? plain.timeout;
      const derived = {
        ...atInstances(plain, version.instances),
        headers: { ...plain.headers, ...version.headers },
        timeout,
        retries: { ...plain.retries, attemptTimeout: Math.min(plain.retries.attemptTimeout, timeout) },
      };
      clients.set(version.name, build(derived, observeVersion(onFetch, version.name, chooser)));
    }
    client = withVersions(clients, chooser);
  } else {
    client = build(plain, onFetch, pools);
  }
  if (!mirror) return client;
  const { timeout } = mirror;
  const shadow = build({
    ...atInstances(plain, mirror.instances),
    headers: { ...plain.headers, ...mirror.headers },
    timeout,
    retries: { attempts: 0, budgetPercent: 0, backoff: 0, maxBackoff: 0, attemptTimeout: timeout },
    breaker: false,
    httpCache: false,
    dedupeInFlight: false,
  });
  const instance = mirror.instances[0] ? new URL(mirror.instances[0].url).origin : 'mirror';
  return withMirror(client, shadow, { ...mirror, service: source.name, instance, ...(onFetch ? { onFetch } : {}) });
}

/** The source served by other instances: the version's or the shadow's, never discovered like the source's own. */
function atInstances(source: NormalizedSource, instances: readonly InstanceSpec[]): NormalizedSource {
  const { discovery: _discovery, ...rest } = source;
  return { ...rest, url: instances[0]?.url ?? source.url, urls: [...instances] };
}
