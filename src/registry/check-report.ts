/** How much a schema change can hurt clients, in @graphql-inspector/core's three levels. */
export type ChangeCriticality = 'breaking' | 'dangerous' | 'safe';

/** Where a coordinate a breaking change touches is used: one operation of one client. */
export interface CoordinateUse {
  coordinate: string;
  /** The operation's document hash (a persisted document's id). */
  documentHash: string;
  /** The client's name; `persisted documents` for a manifest's document. */
  client: string;
  /** Calls in the usage window (0 for a persisted document, which counts as used without calls). */
  count: number;
}

/** One change between two schemas, in @graphql-inspector/core's words. */
export interface SchemaChange {
  criticality: ChangeCriticality;
  /** Inspector's change type, e.g. `FIELD_REMOVED`. */
  type: string;
  /** Inspector's message, e.g. `Field 'email' was removed from object type 'User'`. */
  message: string;
  /** Inspector's path, e.g. `User.email` or `Query.user.id` (an argument). */
  path?: string;
  /** For a breaking change of the public schema: the coordinates whose use it breaks. */
  coordinates?: string[];
  /** For a breaking change of the public schema: the uses of those coordinates; empty when unused. */
  uses?: CoordinateUse[];
}

/**
 * What a check found: whether the candidate composes with every other current service (as
 * start-up composes), how the public schema and the service's own SDL change, and which breaking
 * changes touch coordinates that operations used within the usage window. Plain JSON, as stored.
 */
export interface CheckReport {
  service: string;
  action: 'check' | 'publish' | 'rollback' | 'delete';
  /** The graph version it was checked against; `undefined` on an empty store. */
  baseGraphVersion?: number;
  /** Composition problems, one line each as start-up words them; any fails the check. */
  errors: string[];
  /** Changes of the composed public schema; a breaking one with uses fails the check. */
  changes: SchemaChange[];
  /** Changes of the service's own SDL, for information. */
  serviceChanges: SchemaChange[];
  /** Usage counted from this moment on (ISO 8601). */
  usageSince: string;
  /** Whether it passed: it composes and no breaking change touches a used coordinate. */
  passed: boolean;
  /** What a reader should know besides: unused breaking changes, a first graph version... */
  notes: string[];
}

/** The breaking changes that fail a check: those whose coordinates are used. */
export function blockingChanges(report: Pick<CheckReport, 'changes'>): SchemaChange[] {
  return report.changes.filter((change) => change.criticality === 'breaking' && (change.uses?.length ?? 0) > 0);
}
