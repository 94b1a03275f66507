import type { SchemaStatus } from '../plugins/use-metrics.ts';
import type { Registry } from './create-registry.ts';
import type { SwapRecord } from './follow-registry.ts';

/** How many checks the status page lists. */
const shownChecks = 10;

/**
 * The status page's Schema tab: the graph version served, its services with their versions (a
 * config-only source has none), this gateway's last swap attempts, and the registry's last checks.
 */
export async function schemaStatus(registry: Registry, served: { version: number | undefined; sources: ReadonlyArray<{ name: string; kind: string }> }, attempts: readonly SwapRecord[]): Promise<SchemaStatus> {
  const [graph, checks] = await Promise.all([served.version === undefined ? undefined : registry.store.graph(served.version), registry.store.checks({ limit: shownChecks })]);
  const versions = new Map(graph?.services.map((member) => [member.service, member.version]));
  return {
    version: served.version ?? null,
    services: served.sources.map(({ name, kind }) => ({ name, kind, version: versions.get(name) ?? null })),
    swaps: attempts.map(({ version, result, reason, at, durationMs }) => ({ version, result, reason: reason ?? null, at, durationMs: Math.round(durationMs) })),
    checks: checks.map((check) => ({
      id: check.id,
      service: check.service,
      action: check.action,
      passed: check.passed,
      author: check.author,
      at: check.createdAt.toISOString(),
      summary: `${check.report.errors.length} errors, ${check.report.changes.length} changes`,
    })),
  };
}
