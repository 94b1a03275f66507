import type { SchemaStatus } from '../plugins/use-metrics.ts';
import { blockingChanges, type ChangeCriticality, type CheckReport, type SchemaChange } from './check-report.ts';
import type { Registry } from './create-registry.ts';
import type { SwapRecord } from './follow-registry.ts';
import type { ServiceVersion } from './registry-store.ts';

/** How many checks and graph versions the status page lists. */
const shown = 10;

/** What the Schema tab knows of the graph served. */
export interface ServedSchema {
  version: number | undefined;
  sources: ReadonlyArray<{ name: string; kind: string }>;
}

/**
 * The status page's Schema tab over a registry: the graph version served, its services with their
 * versions (a config-only source has none), this gateway's last swap attempts, the last graph
 * versions, the diff of the served (or selected) version from its previous one, and the registry's
 * last checks in words. Graph versions never change once stored, so each diff is computed once and
 * kept (the page asks every few seconds).
 */
export function createSchemaStatus(registry: Registry): (served: ServedSchema, attempts: readonly SwapRecord[], selected?: number) => Promise<SchemaStatus> {
  const diffs = new Map<number, Promise<SchemaStatus['diff']>>();
  const diffOf = (version: number) => {
    const known = diffs.get(version) ?? graphDiff(registry, version);
    diffs.set(version, known);
    if (diffs.size > shown * 2) diffs.delete(diffs.keys().next().value as number);
    return known;
  };
  return async (served, attempts, selected) => {
    const target = selected ?? served.version;
    const [graph, checks, versions, diff] = await Promise.all([
      served.version === undefined ? undefined : registry.store.graph(served.version),
      registry.store.checks({ limit: shown }),
      registry.store.serviceVersions(),
      target === undefined ? null : diffOf(target),
    ]);
    const members = new Map(graph?.services.map((member) => [member.service, member.version]));
    return {
      version: served.version ?? null,
      services: served.sources.map(({ name, kind }) => ({ name, kind, version: members.get(name) ?? null })),
      swaps: swapsOf(attempts),
      checks: checks.map((check) => ({
        id: check.id,
        service: check.service,
        action: check.action,
        passed: check.passed,
        author: check.author,
        at: check.createdAt.toISOString(),
        ...checkInWords(check.report, check.passed, check.forced),
      })),
      history: historyOf(versions),
      diff,
    };
  };
}

/** The Schema tab of a gateway following a supergraph file: its served content, its subgraphs and the last reloads. */
export function supergraphFileStatus(file: string, served: ServedSchema & { label: string | undefined }, attempts: readonly SwapRecord[]): SchemaStatus {
  return {
    version: served.version ?? null,
    file: { path: file, label: served.label ?? '' },
    services: served.sources.map(({ name, kind }) => ({ name, kind, version: null })),
    swaps: swapsOf(attempts),
    checks: [],
    history: [],
    diff: null,
  };
}

function swapsOf(attempts: readonly SwapRecord[]): SchemaStatus['swaps'] {
  return attempts.map(({ version, label, result, reason, at, durationMs }) => ({
    version,
    ...(label === undefined ? {} : { label }),
    result,
    reason: reason ?? null,
    at,
    durationMs: Math.round(durationMs),
  }));
}

/** Service versions grouped by the graph version they made, the last `shown` of them. */
function historyOf(versions: readonly ServiceVersion[]): SchemaStatus['history'] {
  const graphs = new Map<number, SchemaStatus['history'][number]>();
  for (const version of versions) {
    const entry = graphs.get(version.graphVersion) ?? {
      version: version.graphVersion,
      author: version.author,
      at: version.publishedAt.toISOString(),
      changes: [],
    };
    entry.changes.push({ service: version.service, version: version.version, action: version.action });
    graphs.set(version.graphVersion, entry);
  }
  return [...graphs.values()].sort((a, b) => b.version - a.version).slice(0, shown);
}

async function graphDiff(registry: Registry, version: number): Promise<SchemaStatus['diff']> {
  if (version === 1) return { version, from: null, changes: [], note: 'the first graph version: nothing to compare with' };
  try {
    const changes = await registry.diffGraphs(version - 1, version);
    return {
      version,
      from: version - 1,
      changes: changes.map(({ criticality, message, path }) => ({ criticality, message, path: path ?? null })),
      note: changes.length === 0 ? 'no change to the public schema' : null,
    };
  } catch (error) {
    const problems = (error as { problems?: readonly string[] }).problems;
    return { version, from: version - 1, changes: [], note: problems ? problems.join('; ') : (error as Error).message };
  }
}

/** A check's result in words: `passed: 2 safe`, `failed: 1 breaking in use, 1 safe`, `failed: does not compose`. */
function checkInWords(
  report: CheckReport,
  passed: boolean,
  forced: boolean,
): { summary: string; counts: Record<ChangeCriticality, number>; reason: string | null } {
  const counts = countOf(report.changes);
  const blocking = blockingChanges(report);
  const parts = (['breaking', 'dangerous', 'safe'] as const).flatMap((level) =>
    counts[level] === 0 ? [] : [`${counts[level]} ${level}${level === 'breaking' ? ` (${blocking.length} in use)` : ''}`],
  );
  const outcome = passed ? 'passed' : forced ? 'failed, stored by force' : 'failed';
  const words =
    report.errors.length > 0
      ? `does not compose (${report.errors.length} ${report.errors.length === 1 ? 'problem' : 'problems'})`
      : parts.length > 0
        ? parts.join(', ')
        : 'no change to the public schema';
  const reason = passed
    ? null
    : report.errors.length > 0
      ? report.errors.join('; ')
      : blocking.map((change) => `${change.message}: used by ${usersOf(change)}`).join('; ') || null;
  return { summary: `${outcome}: ${words}`, counts, reason };
}

function countOf(changes: readonly SchemaChange[]): Record<ChangeCriticality, number> {
  const counts = { breaking: 0, dangerous: 0, safe: 0 };
  for (const change of changes) counts[change.criticality]++;
  return counts;
}

/** `web (12 calls), mobile (3 calls)`: the clients using a breaking change's coordinates. */
function usersOf(change: SchemaChange): string {
  const calls = new Map<string, number>();
  for (const use of change.uses ?? []) calls.set(use.client || 'unknown client', (calls.get(use.client || 'unknown client') ?? 0) + use.count);
  return [...calls].map(([client, count]) => `${client} (${count} ${count === 1 ? 'call' : 'calls'})`).join(', ');
}
