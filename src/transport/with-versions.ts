import { consumerOf } from '../auth/consumer.ts';
import type { OnFetch } from './fetch-hooks.ts';
import type { HttpClient } from './http-client.ts';
import { stickyCallerOf, stickyPercentile } from './sticky-share.ts';
import { stableVersion, type NormalizedVersionOverride } from './traffic-config.ts';
import { ObjectSlot } from '../object-slot.ts';

/** Which version of a source each client request's calls go to. */
export interface VersionChooser {
  /** The version of the calls made for `origin`: decided on its first call, then the same for all (`stable` for calls without a client request). */
  versionOf(origin: Request | undefined): string;
  /** The client's version choice that was not followed for `origin`, and why; given once per request. */
  takeIgnoredOverride(origin: Request | undefined): string | undefined;
}

interface Pin {
  version: string;
  ignoredOverride?: string;
}

/**
 * The version chooser of one source. A request's version is, in this order:
 * 1. the one its caller chose in the override header (else cookie), `orders=v2,products=stable`,
 *    when the source has that version and the caller may choose (`override`);
 * 2. else the caller's sticky bucket: the FNV-1a hash of the caller (consumer, else client address,
 *    see `stickyCallerOf`) and the source's name falls on a percentile from 0 to 99.99, and the
 *    versions take the percentiles in the order given, `weight` each (`v2` 0–9.99 with weight 10,
 *    then the next version, `stable` the rest). The same caller thus always gets the same version,
 *    on every replica, and raising a weight from 10 to 20 keeps the first 10 % where they were
 *    (with several versions, the callers of the versions listed after it move).
 * The decision is pinned to the request (a `WeakMap` on the Fetch `Request`), so that the calls of
 * one client request never mix versions, whatever the weights do meanwhile.
 */
export function createVersionChooser(
  service: string,
  versions: ReadonlyArray<{ name: string; weight: number }>,
  override: NormalizedVersionOverride | false,
): VersionChooser {
  const pins = new ObjectSlot<Request, Pin>('version pin');
  const known = new Set([stableVersion, ...versions.map(({ name }) => name)]);
  const sticky = (origin: Request): string => {
    const percentile = stickyPercentile(`${stickyCallerOf(origin)}\u0000${service}`);
    let reached = 0;
    for (const { name, weight } of versions) {
      reached += weight;
      if (percentile < reached) return name;
    }
    return stableVersion;
  };
  const decide = (origin: Request): Pin => {
    const asked = override ? askedVersion(origin, service, override) : undefined;
    if (asked === undefined) return { version: sticky(origin) };
    if (!known.has(asked))
      return { version: sticky(origin), ignoredOverride: `"${service}=${asked}": the source has no version "${asked}" (it has ${[...known].join(', ')})` };
    const scope = override ? override.scope : undefined;
    if (scope !== undefined && !consumerOf(origin)?.scopes.includes(scope))
      return { version: sticky(origin), ignoredOverride: `"${service}=${asked}": choosing a version needs the scope "${scope}"` };
    return { version: asked };
  };
  const pinOf = (origin: Request): Pin => {
    let pin = pins.get(origin);
    if (!pin) pins.set(origin, (pin = decide(origin)));
    return pin;
  };
  return {
    versionOf: (origin) => (origin ? pinOf(origin).version : stableVersion),
    takeIgnoredOverride(origin) {
      const pin = origin && pins.get(origin);
      const ignored = pin?.ignoredOverride;
      if (pin) delete pin.ignoredOverride;
      return ignored;
    },
  };
}

/** The version the caller asks for this source: the header's choice, else the cookie's. */
function askedVersion(origin: Request, service: string, { header, cookie }: NormalizedVersionOverride): string | undefined {
  const fromHeader = header ? choiceFor(origin.headers.get(header), service) : undefined;
  if (fromHeader !== undefined || !cookie) return fromHeader;
  return choiceFor(cookieValue(origin.headers.get('cookie'), cookie), service);
}

/** `orders` in `orders=v2,products=stable` is `v2`. */
function choiceFor(list: string | null | undefined, service: string): string | undefined {
  for (const item of list?.split(',') ?? []) {
    const [name, version] = item.split('=').map((part) => part.trim());
    if (name === service && version) return version;
  }
  return undefined;
}

function cookieValue(header: string | null, name: string): string | undefined {
  for (const pair of header?.split(';') ?? []) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== name) continue;
    const raw = pair
      .slice(at + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/** `onFetch` for the client of one version: its events name the version, and the first of a request the ignored override. */
export function observeVersion(onFetch: OnFetch | undefined, version: string, chooser: VersionChooser): OnFetch | undefined {
  if (!onFetch) return undefined;
  return (event) => {
    const ignoredOverride = chooser.takeIgnoredOverride(event.origin);
    // The same `headers` object: observers add to the headers the call sends.
    return onFetch({ ...event, version, ...(ignoredOverride ? { ignoredOverride } : {}) });
  };
}

/**
 * A source's client over the clients of its versions (each a whole client of its own: instances,
 * retries, breaker), sending each call, proxied ones included, to the version `chooser` gives its
 * client request. Other members are the stable version's.
 */
export function withVersions(clients: ReadonlyMap<string, HttpClient>, chooser: VersionChooser): HttpClient {
  const stable = clients.get(stableVersion) as HttpClient;
  const clientOf = (origin: Request | undefined) => clients.get(chooser.versionOf(origin)) ?? stable;
  return {
    ...stable,
    request: (request) => clientOf(request.origin).request(request),
    proxy: (request) => clientOf(request.origin).proxy(request),
    close: async () => {
      await Promise.all([...clients.values()].map((client) => client.close()));
    },
  };
}
