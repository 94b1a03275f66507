import type { NormalizedClientProfile } from './normalize-clients.ts';

/** How many distinct versions of a profile without declared `versions` get their own label. */
export const maxSeenVersions = 20;

const labelable = /^[\w.+-]{1,32}$/;

/**
 * The `client_version` label of a profile's version: a declared version, or, without declared
 * ones, one of the first {@link maxSeenVersions} distinct versions seen; else `other`. A label is
 * never forgotten once given (a Prometheus series lives on), so the set is bounded, not recent.
 */
export function createVersionLabels(): (profile: NormalizedClientProfile, version: string | undefined) => string {
  const seen = new Map<string, Set<string>>();
  return (profile, version) => {
    if (version === undefined || !labelable.test(version)) return 'other';
    if (profile.versions) return profile.versions.has(version) ? version : 'other';
    let versions = seen.get(profile.name);
    if (!versions) seen.set(profile.name, (versions = new Set()));
    if (versions.has(version)) return version;
    if (versions.size >= maxSeenVersions) return 'other';
    versions.add(version);
    return version;
  };
}
