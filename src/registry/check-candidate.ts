import { buildSchema, parse, printSchema, type GraphQLSchema } from 'graphql';
import { blockingChanges, type CheckReport, type CoordinateUse, type SchemaChange } from './check-report.ts';
import { composeRegistered } from './compose-registered.ts';
import { documentCoordinates } from './operation-coordinates.ts';
import type { RegisteredService } from './registered-sources.ts';
import type { GraphVersion, ServiceDefinition, UsageRecord } from './registry-store.ts';
import { schemaChanges, serviceSchema } from './schema-changes.ts';
import { touchedCoordinates } from './touched-coordinates.ts';

/** The client name under which a persisted document's use is reported. */
export const persistedDocumentsClient = 'persisted documents';

/** What to check: a service's new definition (or its removal) against a graph version. */
export interface CandidateCheck {
  action: CheckReport['action'];
  service: string;
  /** The service's new definition and how problems name its SDL; `undefined` checks its removal. */
  candidate?: ServiceDefinition & { name: string };
  /** The current graph; `undefined` on an empty store. */
  base: GraphVersion | undefined;
  /** Recorded usage of coordinates since `usageSince`. */
  usage(coordinates: readonly string[]): Promise<UsageRecord[]>;
  usageSince: Date;
  /** Documents that count as used whatever the usage says (a trusted-document manifest), by id. */
  persistedDocuments: ReadonlyMap<string, string>;
}

/** A check's report and, when the candidate composes, the public schema it makes. */
export interface CandidateResult {
  report: CheckReport;
  schema?: GraphQLSchema;
}

/**
 * Composes the candidate with every other service of the base graph, as start-up would, and
 * classifies each change of the public schema; a breaking change fails the check only when an
 * operation used a coordinate it touches within the usage window, or a persisted document does.
 */
export async function checkCandidate(check: CandidateCheck): Promise<CandidateResult> {
  const { action, service, candidate, base } = check;
  const composition = await composeRegistered(membersWith(base, service, candidate));
  const report: CheckReport = {
    service,
    action,
    ...(base ? { baseGraphVersion: base.version } : {}),
    errors: composition.problems ?? [],
    changes: [],
    serviceChanges: [],
    usageSince: check.usageSince.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    passed: false,
    notes: [],
  };
  const previous = base?.services.find((member) => member.service === service);
  if (previous && candidate) report.serviceChanges = await serviceChanges(previous.sdl, candidate.sdl, service, report.notes);
  if (!composition.schema) return { report };
  // As stored and served: the printed public schema, without the composition directives its AST nodes still carry.
  const schema = buildSchema(printSchema(composition.schema));
  if (base) {
    const before = buildSchema(base.sdl);
    report.changes = await schemaChanges(before, schema, (change) => touchedCoordinates(change, before));
    await attachUses(report.changes, check, before);
  } else {
    report.notes.push('the first graph version: nothing to compare with');
  }
  for (const change of report.changes.filter((candidateChange) => candidateChange.criticality === 'breaking' && candidateChange.uses?.length === 0)) {
    report.notes.push(
      `unused, so allowed: ${change.message} (no operation used ${change.coordinates?.join(', ') || 'it'} since ${report.usageSince}, and no persisted document does)`,
    );
  }
  report.passed = report.errors.length === 0 && blockingChanges(report).length === 0;
  return { report, schema };
}

/** The base graph's services in order, with the candidate in its service's place (appended when new, left out when removed). */
function membersWith(base: GraphVersion | undefined, service: string, candidate: (ServiceDefinition & { name: string }) | undefined): RegisteredService[] {
  const members: RegisteredService[] = (base?.services ?? []).map((member) => ({ ...member, name: `${member.service}@v${member.version}` }));
  const at = members.findIndex((member) => member.service === service);
  const replacement = candidate ? [{ ...candidate, service }] : [];
  if (at === -1) return [...members, ...replacement];
  return [...members.slice(0, at), ...replacement, ...members.slice(at + 1)];
}

/** Each breaking change's uses: recorded calls of its coordinates, and persisted documents that use them. */
async function attachUses(changes: SchemaChange[], check: CandidateCheck, before: GraphQLSchema): Promise<void> {
  const breaking = changes.filter((change) => change.criticality === 'breaking');
  const coordinates = [...new Set(breaking.flatMap((change) => change.coordinates ?? []))];
  if (breaking.length === 0) return;
  const recorded = await check.usage(coordinates);
  const persisted = [...check.persistedDocuments].flatMap(([id, body]) =>
    documentCoordinates(before, parse(body)).map((coordinate): CoordinateUse => ({ coordinate, documentHash: id, client: persistedDocumentsClient, count: 0 })),
  );
  for (const change of breaking) {
    const touched = new Set(change.coordinates);
    change.uses = [...recorded, ...persisted].filter((use) => touched.has(use.coordinate));
  }
}

/** The service's own SDL changes; a note instead when either version cannot be read as a schema. */
async function serviceChanges(before: string, after: string, service: string, notes: string[]): Promise<SchemaChange[]> {
  try {
    return await schemaChanges(serviceSchema(before), serviceSchema(after));
  } catch (error) {
    notes.push(`the changes of ${service}'s own SDL are not listed: ${(error as Error).message}`);
    return [];
  }
}
