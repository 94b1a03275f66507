import type { ListenOptions, Listening } from './listen-postgres.ts';
import type { CheckReport } from './check-report.ts';

/** The kinds of service the gateway composes, as `sources.<name>.kind` names them. */
export const serviceKinds = ['graphql', 'rest', 'federation'] as const;

/** A kind of service. */
export type ServiceKind = (typeof serviceKinds)[number];

/** What made a service version: seeding from the config, a publish, a rollback or a deletion. */
export type ServiceAction = 'import' | 'publish' | 'rollback' | 'delete';

/** What a service is at one version: enough to build its source. */
export interface ServiceDefinition {
  kind: ServiceKind;
  /** Where it runs; the instances the gateway calls (`sources.<name>.url`, or `.urls` when several). At least one. */
  urls: string[];
  /** The registered SDL, as a `schemas/<name>.graphql` file holds it. */
  sdl: string;
  /**
   * Source options beside the URL (`timeout`, `forwardHeaders`, `connections`, `batch`,
   * `maxBatchSize`, `httpCache`, `dedupeInFlight`); headers and TLS stay in the gateway config.
   */
  options: Record<string, unknown>;
}

/** One stored version of a service. Versions of a service count 1, 2, 3... and never repeat. */
export interface ServiceVersion extends ServiceDefinition {
  service: string;
  version: number;
  action: ServiceAction;
  /** Who published it (`--author`). */
  author: string;
  /** Whether it was published although its check failed. */
  forced: boolean;
  /** For a rollback: the version it copies. */
  restoredFrom?: number;
  publishedAt: Date;
  /** The graph version this change made. */
  graphVersion: number;
}

/** One composed graph: numbered across all services, one per change. */
export interface GraphVersion {
  version: number;
  /** The composed public schema (SDL), as clients see it. */
  sdl: string;
  /** The service versions it consists of, by service name. */
  services: ServiceVersion[];
  author: string;
  createdAt: Date;
}

/** A service version to add: its number is the service's next one. */
export interface NewServiceVersion extends ServiceDefinition {
  service: string;
  action: ServiceAction;
  forced?: boolean;
  restoredFrom?: number;
}

/** A graph change to store at once: the new service versions and the composed result. */
export interface NewGraphVersion {
  /** The composed public SDL. */
  sdl: string;
  author: string;
  at: Date;
  /** The services that change (a deletion included). */
  changes: NewServiceVersion[];
  /** The unchanged services the graph keeps, at their current versions. */
  keep: ReadonlyArray<{ service: string; version: number }>;
}

/** A check that ran, stored with its report. */
export interface CheckRecord {
  id: number;
  service: string;
  action: 'check' | 'publish' | 'rollback' | 'delete';
  /** The graph version it was checked against; `undefined` on an empty store. */
  baseGraphVersion?: number;
  passed: boolean;
  forced: boolean;
  author: string;
  report: CheckReport;
  createdAt: Date;
}

/** Operations' use of one schema coordinate, counted over some hours. */
export interface UsageRecord {
  /** `Type.field`, `Type.field(arg:)`, `Input.field`, `Enum.VALUE`, or `Type` (a type condition). */
  coordinate: string;
  /** The operation: the SHA-256 of its document, or its persisted-document id. */
  documentHash: string;
  /** The client's name; `''` when unknown. */
  client: string;
  count: number;
}

/** Usage to add: counted in the hour of `at`. */
export interface UsageSample {
  coordinate: string;
  documentHash: string;
  /** @default '' */
  client?: string;
  /** @default 1 */
  count?: number;
  at: Date;
}

/** An instance announced through a gateway's admin API, as stored (see `src/transport/discovery/`). */
export interface StoredAnnouncement {
  service: string;
  url: string;
  weight: number;
  /** When it was first announced since it last expired. */
  announcedAt: Date;
  heartbeatAt: Date;
  expiresAt: Date;
}

/** What can be read from a store, inside a transaction or not. */
export interface RegistryReads {
  /** The newest graph version; `undefined` while the store is empty. */
  latestGraph(): Promise<GraphVersion | undefined>;
  /** A graph version by number. */
  graph(version: number): Promise<GraphVersion | undefined>;
  /** A service's version by number. */
  serviceVersion(service: string, version: number): Promise<ServiceVersion | undefined>;
  /** Every version of one service, or of every service, newest first. */
  serviceVersions(service?: string): Promise<ServiceVersion[]>;
  /** Every service name ever published (deleted ones included), sorted. */
  knownServices(): Promise<string[]>;
  /** Stored checks, newest first. */
  checks(filter?: { service?: string; limit?: number }): Promise<CheckRecord[]>;
  /** The usage of some coordinates from `since` on, summed per coordinate, document and client. */
  usage(coordinates: readonly string[], since: Date): Promise<UsageRecord[]>;
}

/** What a store's exclusive transaction may also write. */
export interface RegistryTransaction extends RegistryReads {
  /** Stores the service versions and the graph version they make, numbered next; returns the graph. */
  addGraphVersion(change: NewGraphVersion): Promise<GraphVersion>;
  /** Stores a check that ran. */
  recordCheck(record: Omit<CheckRecord, 'id'>): Promise<CheckRecord>;
}

/**
 * The registry's storage, the same on both backends (an embedded PGlite folder, a PostgreSQL
 * server): service versions, graph versions, checks and usage.
 */
export interface RegistryStore extends RegistryReads {
  /**
   * Runs `work` in one transaction that no other registry write, in this process or another,
   * interleaves with: what it reads is current until it commits, so a check it runs still holds
   * when its result is stored. All of it is stored, or nothing.
   */
  exclusive<T>(work: (tx: RegistryTransaction) => Promise<T>): Promise<T>;
  /** Adds usage counts (several samples of one hour, coordinate, document and client add up). */
  recordUsage(batch: readonly UsageSample[]): Promise<void>;
  /** The newest graph version's number, `undefined` while the store is empty (what a follower polls). */
  latestVersion(): Promise<number | undefined>;
  /** Listens for new graph versions' announcements, where other processes can send them (PostgreSQL). */
  listen?(options: ListenOptions): Listening;
  /**
   * Registers an announced instance, or renews it (a heartbeat: its weight and expiry change, its
   * `announcedAt` stays unless it had expired); removes expired rows. Returns it as stored.
   */
  announceInstance(announcement: Omit<StoredAnnouncement, 'announcedAt'>): Promise<StoredAnnouncement>;
  /** Removes an announced instance; whether it was there (and live at `now`). */
  withdrawInstance(service: string, url: string, now: Date): Promise<boolean>;
  /** Announced instances live at `now` (expiring after it), by service then URL. */
  announcedInstances(now: Date): Promise<StoredAnnouncement[]>;
  /** Forgets usage counted in hours before `before` (retention); resolves to the rows removed. */
  pruneUsage(before: Date): Promise<number>;
  /** Closes the store's connection. */
  close(): Promise<void>;
}
