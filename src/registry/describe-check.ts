import { blockingChanges, type CheckReport, type CoordinateUse, type SchemaChange } from './check-report.ts';
import type { ServiceVersion } from './registry-store.ts';

/**
 * A check's report in plain words, one change a line in inspector's words, marked `[breaking]`,
 * `[dangerous]` or `[safe]`; a breaking change that touches used coordinates is followed by the
 * operations (document hashes) and clients that use them.
 */
export function describeCheck(report: CheckReport): string {
  const base = report.baseGraphVersion === undefined ? 'an empty registry' : `graph v${report.baseGraphVersion}`;
  const lines = [`${report.service}: ${report.action === 'delete' ? 'removal ' : ''}checked against ${base} (usage since ${report.usageSince})`];
  if (report.errors.length > 0) lines.push('Invalid schema:', ...report.errors.map((error) => `  - ${error}`));
  if (report.changes.length > 0) lines.push(`Changes to the public schema (${countByCriticality(report.changes)}):`, ...report.changes.flatMap(describeChange));
  else if (report.errors.length === 0 && report.baseGraphVersion !== undefined) lines.push('No change to the public schema.');
  if (report.serviceChanges.length > 0)
    lines.push(
      `Changes to ${report.service}'s SDL (${countByCriticality(report.serviceChanges)}):`,
      ...report.serviceChanges.map((change) => `  ${mark(change)} ${change.message}`),
    );
  if (report.notes.length > 0) lines.push('Notes:', ...report.notes.map((note) => `  - ${note}`));
  return `${lines.join('\n')}\n`;
}

/**
 * Why a check failed, in a few lines: the composition problems as start-up words them, then each
 * breaking change that touches used coordinates with the operations and clients using them.
 */
export function describeFailure(report: CheckReport): string {
  if (report.errors.length > 0) return `Invalid schema:\n${report.errors.map((error) => `  - ${error}`).join('\n')}\n`;
  const blocking = blockingChanges(report);
  const lines = blocking.map((change) => `  - ${change.message} (${change.coordinates?.join(', ')}): ${describeUses(change.uses ?? [])}`);
  return `Breaking ${blocking.length === 1 ? 'change' : 'changes'} to coordinates in use since ${report.usageSince}:\n${lines.join('\n')}\n`;
}

/** Changes as a list, one a line, breaking ones first and marked. */
export function describeChanges(title: string, changes: readonly SchemaChange[]): string {
  if (changes.length === 0) return `${title}: no change\n`;
  return `${title}: ${changes.length} ${changes.length === 1 ? 'change' : 'changes'} (${countByCriticality(changes)})\n${changes.map((change) => `  ${mark(change)} ${change.message}`).join('\n')}\n`;
}

/** Service versions, one a line: `graph v5  products v3  publish  by alice  2026-12-06 08:50:47Z`. */
export function describeHistory(versions: readonly ServiceVersion[]): string {
  if (versions.length === 0) return 'The registry is empty.\n';
  const rows = versions.map((version) => [
    `graph v${version.graphVersion}`,
    `${version.service} v${version.version}`,
    version.action + (version.restoredFrom === undefined ? '' : ` of v${version.restoredFrom}`),
    `by ${version.author}`,
    version.publishedAt
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z'),
    version.forced ? 'forced' : '',
  ]);
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return `${rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function describeChange(change: SchemaChange): string[] {
  const line = `  ${mark(change)} ${change.message}`;
  if (change.criticality !== 'breaking' || change.uses === undefined) return [line];
  if (change.uses.length === 0) return [`${line}: unused`];
  return [`${line}: ${describeUses(change.uses)}`];
}

/** `used by operation 3f5a... (client web, 12 calls), ...`: each operation once, with its clients. */
function describeUses(uses: readonly CoordinateUse[]): string {
  const operations = new Map<string, Map<string, number>>();
  for (const { documentHash, client, count } of uses) {
    const clients = operations.get(documentHash) ?? new Map<string, number>();
    clients.set(client, (clients.get(client) ?? 0) + count);
    operations.set(documentHash, clients);
  }
  const described = [...operations].map(([hash, clients]) => {
    const who = [...clients].map(
      ([client, count]) => `${client ? `client ${client}` : 'an unnamed client'}${count > 0 ? `, ${count} ${count === 1 ? 'call' : 'calls'}` : ''}`,
    );
    return `operation ${hash} (${who.join('; ')})`;
  });
  return `used by ${described.join(', ')}`;
}

function mark(change: SchemaChange): string {
  return `[${change.criticality}]`.padEnd(11);
}

function countByCriticality(changes: readonly SchemaChange[]): string {
  const count = (criticality: SchemaChange['criticality']) => changes.filter((change) => change.criticality === criticality).length;
  return `${count('breaking')} breaking, ${count('dangerous')} dangerous, ${count('safe')} safe`;
}
