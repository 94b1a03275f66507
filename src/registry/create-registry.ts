import { isDeepStrictEqual } from 'node:util';
import { buildSchema, printSchema } from 'graphql';
import { SchemaError } from '../sources/schema-error.ts';
import { checkCandidate } from './check-candidate.ts';
import type { CheckReport, SchemaChange } from './check-report.ts';
import { composeRegistered } from './compose-registered.ts';
import { RegistryInputError } from './registry-input-error.ts';
import type {
  CheckRecord,
  GraphVersion,
  RegistryReads,
  RegistryStore,
  RegistryTransaction,
  ServiceAction,
  ServiceDefinition,
  ServiceVersion,
  UsageRecord,
  UsageSample,
} from './registry-store.ts';
import { subscribeToGraphs, type GraphSubscription } from './subscribe-registry.ts';
import { schemaChanges, serviceSchema } from './schema-changes.ts';
import { validateServiceInput, validateServiceName, type ServiceInput } from './validate-service-input.ts';

/** How a registry decides. */
export interface RegistryOptions {
  /**
   * How far back recorded usage counts in a check, in milliseconds.
   * @default 604800000 (7 days)
   */
  usageWindow?: number;
  /**
   * The clock: when versions and checks are stored, and where the usage window ends.
   * @default () => new Date()
   */
  now?: () => Date;
  /** Documents that count as used in every check (a trusted-document manifest), by id. */
  persistedDocuments?: ReadonlyMap<string, string>;
  /**
   * Milliseconds between two looks at the store by `subscribe` when it cannot be notified.
   * @default 2000
   */
  pollInterval?: number;
  /**
   * Where `subscribe` tells outages of the store or of its notifications.
   * @default process.emitWarning
   */
  log?: (message: string) => void;
}

/** Who asks for a change, and how. */
export interface ChangeRequest {
  /** Stored with the version and the check. */
  author: string;
  /** Store the change although a breaking change touches used coordinates (never one that does not compose). */
  force?: boolean;
  /** More documents that count as used, for this check only (`--manifest`). */
  persistedDocuments?: ReadonlyMap<string, string>;
}

/** A service's new SDL (and kind, URLs, options: the current ones when left out). */
export type PublishRequest = ChangeRequest & Omit<ServiceInput, 'name'> & { name?: string };

/**
 * What a change did. `published`: a new service version and graph version are stored (with
 * `forced` on the version when the check failed and `force` was given). `refused`: the check
 * failed; only the check record is stored. `unchanged`: the definition is the current one;
 * nothing is stored.
 */
export interface ChangeResult {
  outcome: 'published' | 'refused' | 'unchanged';
  report?: CheckReport;
  check?: CheckRecord;
  version?: ServiceVersion;
  graph?: GraphVersion;
}

/**
 * The schema registry: service versions that change the composed graph only through a check.
 * Every change is checked and stored in one exclusive transaction (see `createSqlStore`).
 * Bad input throws a `RegistryInputError` and stores nothing.
 *
 */
export interface Registry {
  /** The store underneath, for reads this interface does not wrap. */
  readonly store: RegistryStore;
  /** Milliseconds of recorded usage a check considers. */
  readonly usageWindow: number;
  /** Checks a service's new SDL as `publish` would, and stores the check; publishes nothing. */
  check(request: Omit<PublishRequest, 'force'>): Promise<{ report: CheckReport; check: CheckRecord }>;
  /** Checks and, when it passes (or is forced), stores the service's next version and the next graph version. */
  publish(request: PublishRequest): Promise<ChangeResult>;
  /** Publishes an earlier version of a service again, as its next version, checked like a publish. */
  rollback(request: ChangeRequest & { service: string; to: number }): Promise<ChangeResult>;
  /** Removes a service from the graph, checked as the composition without it. */
  deleteService(request: ChangeRequest & { service: string }): Promise<ChangeResult>;
  /** Seeds an empty store: every service as its version 1, composed into graph version 1. Throws a `SchemaError` when they do not compose. */
  importServices(services: readonly PublishRequest[], author: string): Promise<GraphVersion>;
  /** The newest graph version, with every service version it consists of. */
  latestGraph(): Promise<GraphVersion | undefined>;
  /** Versions of one service or of all, newest first. */
  history(service?: string): Promise<ServiceVersion[]>;
  /** The changes of the public schema from one graph version to another. */
  diffGraphs(from: number, to: number): Promise<SchemaChange[]>;
  /** The changes of a service's SDL from one of its versions to another. */
  diffServiceVersions(service: string, from: number, to: number): Promise<SchemaChange[]>;
  /** Adds operation usage (see `operationCoordinates` for what to record). */
  recordUsage(batch: readonly UsageSample[]): Promise<void>;
  /** Usage of coordinates from `since` on, by default within the usage window. */
  usage(coordinates: readonly string[], since?: Date): Promise<UsageRecord[]>;
  /**
   * Calls `onChange(version)` when a newer graph version is stored, by this process or another:
   * heard through PostgreSQL `LISTEN concierge_registry` at once, else polled (see `subscribeToGraphs`).
   */
  subscribe(onChange: (version: number) => void): GraphSubscription;
  /** Closes the store; closing again does nothing. */
  close(): Promise<void>;
}

const week = 7 * 86_400_000;

/** A registry over a store. */
export function createRegistry(store: RegistryStore, options: RegistryOptions = {}): Registry {
  const {
    usageWindow = week,
    now = () => new Date(),
    persistedDocuments = new Map(),
    pollInterval = 2_000,
    log = (message: string) => process.emitWarning(message),
  } = options;
  const since = () => new Date(now().getTime() - usageWindow);
  let closed: Promise<void> | undefined;

  /** Checks a change against the current graph and stores the check. */
  async function runCheck(
    tx: RegistryTransaction,
    service: string,
    candidate: (ServiceDefinition & { name: string }) | undefined,
    request: ChangeRequest & { action: CheckRecord['action'] },
  ) {
    const { action, author, force = false } = request;
    const base = await tx.latestGraph();
    const usageSince = since();
    const documents = new Map([...persistedDocuments, ...(request.persistedDocuments ?? [])]);
    const { report, schema } = await checkCandidate({
      action,
      service,
      candidate,
      base,
      usage: (coordinates) => tx.usage(coordinates, usageSince),
      usageSince,
      persistedDocuments: documents,
    });
    const forced = !report.passed && report.errors.length === 0 && force && action !== 'check';
    if (forced) report.notes.push(`forced by ${author}: stored although the check failed`);
    else if (force && report.errors.length > 0) report.notes.push('--force stores no graph that does not compose');
    const check = await tx.recordCheck({
      service,
      action,
      ...(base ? { baseGraphVersion: base.version } : {}),
      passed: report.passed,
      forced,
      author,
      report,
      createdAt: now(),
    });
    return { base, report, schema, check, forced };
  }

  /** Checks a change and, when it passes or is forced, stores the service's next version and the graph's. */
  async function change(
    tx: RegistryTransaction,
    service: string,
    candidate: (ServiceDefinition & { name: string }) | undefined,
    request: ChangeRequest & { action: Exclude<ServiceAction, 'import'>; restoredFrom?: number },
  ): Promise<ChangeResult> {
    const { base, report, schema, check, forced } = await runCheck(tx, service, candidate, request);
    if (!schema || (!report.passed && !forced)) return { outcome: 'refused', report, check };
    const definition = candidate ?? (base?.services.find((member) => member.service === service) as ServiceVersion);
    const graph = await tx.addGraphVersion({
      sdl: printSchema(schema),
      author: request.author,
      at: now(),
      changes: [
        {
          service,
          action: request.action,
          kind: definition.kind,
          urls: definition.urls,
          sdl: definition.sdl,
          options: definition.options,
          forced,
          ...(request.restoredFrom === undefined ? {} : { restoredFrom: request.restoredFrom }),
        },
      ],
      keep: (base?.services ?? []).filter((member) => member.service !== service),
    });
    const [version] = await tx.serviceVersions(service);
    return { outcome: 'published', report, check, ...(version ? { version } : {}), graph };
  }

  /** The current version of a service of the graph; a `RegistryInputError` naming the graph's services otherwise. */
  async function currentService(tx: RegistryReads, service: string): Promise<ServiceVersion> {
    validateServiceName(service);
    const base = await tx.latestGraph();
    const current = base?.services.find((member) => member.service === service);
    if (current) return current;
    const names = base?.services.map((member) => member.service) ?? [];
    const deleted = (await tx.knownServices()).includes(service) ? ' (it was deleted)' : '';
    throw new RegistryInputError([
      `unknown service "${service}"${deleted}: ${names.length > 0 ? `the current graph has ${names.join(', ')}` : 'the registry is empty'}`,
    ]);
  }

  async function history(service?: string): Promise<ServiceVersion[]> {
    if (service === undefined) return store.serviceVersions();
    validateServiceName(service);
    const versions = await store.serviceVersions(service);
    if (versions.length === 0)
      throw new RegistryInputError([`unknown service "${service}": the registry has ${(await store.knownServices()).join(', ') || 'no service yet'}`]);
    return versions;
  }

  const unchanged = (current: ServiceDefinition | undefined, next: ServiceDefinition) =>
    current !== undefined && isDeepStrictEqual([current.kind, current.urls, current.sdl, current.options], [next.kind, next.urls, next.sdl, next.options]);

  return {
    store,
    usageWindow,
    check: (request) =>
      store.exclusive(async (tx) => {
        const current = await currentService(tx, request.service);
        const name = request.name ?? `${request.service} (candidate)`;
        const candidate = validateServiceInput({ ...request, name }, current);
        const { report, check } = await runCheck(tx, request.service, { ...candidate, name }, { ...request, action: 'check' });
        return { report, check };
      }),
    publish: (request) =>
      store.exclusive(async (tx) => {
        validateServiceName(request.service);
        const name = request.name ?? `${request.service} (candidate)`;
        const current = (await tx.latestGraph())?.services.find((member) => member.service === request.service);
        const candidate = validateServiceInput({ ...request, name }, current);
        if (unchanged(current, candidate)) return { outcome: 'unchanged', ...(current ? { version: current } : {}) };
        return change(tx, request.service, { ...candidate, name }, { ...request, action: 'publish' });
      }),
    rollback: (request) =>
      store.exclusive(async (tx) => {
        validateServiceName(request.service);
        const versions = await tx.serviceVersions(request.service);
        if (versions.length === 0) await currentService(tx, request.service);
        const target = versions.find((version) => version.version === request.to);
        if (!target) throw new RegistryInputError([`${request.service} has no version ${request.to}: its versions are 1 to ${versions[0]?.version}`]);
        if (target.action === 'delete')
          throw new RegistryInputError([`${request.service} v${target.version} is its deletion: roll back to a version that published it`]);
        const current = (await tx.latestGraph())?.services.find((member) => member.service === request.service);
        if (unchanged(current, target)) return { outcome: 'unchanged', ...(current ? { version: current } : {}) };
        return change(
          tx,
          request.service,
          { ...target, name: `${request.service}@v${target.version}` },
          { ...request, action: 'rollback', restoredFrom: target.version },
        );
      }),
    deleteService: (request) =>
      store.exclusive(async (tx) => {
        await currentService(tx, request.service);
        return change(tx, request.service, undefined, { ...request, action: 'delete' });
      }),
    importServices: (services, author) =>
      store.exclusive(async (tx) => {
        const base = await tx.latestGraph();
        if (base)
          throw new RegistryInputError([`the registry already has graph v${base.version}: import seeds an empty store only (publish each service instead)`]);
        const problems: string[] = [];
        const members = services.flatMap((request) => {
          try {
            const name = request.name ?? `${request.service} (import)`;
            return [{ ...validateServiceInput({ ...request, name }, undefined), service: request.service, name }];
          } catch (error) {
            if (!(error instanceof RegistryInputError)) throw error;
            problems.push(...error.problems.map((problem) => `${request.service}: ${problem}`));
            return [];
          }
        });
        if (problems.length > 0) throw new RegistryInputError(problems);
        const composition = await composeRegistered(members);
        if (!composition.schema) throw new SchemaError(composition.problems);
        const changes = members.map(({ service, kind, urls, sdl, options }) => ({ service, kind, urls, sdl, options, action: 'import' as const }));
        return tx.addGraphVersion({ sdl: printSchema(composition.schema), author, at: now(), changes, keep: [] });
      }),
    latestGraph: () => store.latestGraph(),
    history,
    async diffGraphs(from, to) {
      const [before, after] = await Promise.all([from, to].map((version) => store.graph(version)));
      const newest = (await store.latestGraph())?.version;
      const missing = [from, to].filter((_, index) => ![before, after][index]);
      if (missing.length > 0)
        throw new RegistryInputError(
          missing.map((version) => `no graph version ${version}: ${newest ? `graph versions are 1 to ${newest}` : 'the registry is empty'}`),
        );
      return schemaChanges(buildSchema((before as GraphVersion).sdl), buildSchema((after as GraphVersion).sdl));
    },
    async diffServiceVersions(service, from, to) {
      const versions = await history(service);
      const [before, after] = [from, to].map((number) => versions.find((version) => version.version === number));
      const missing = [from, to].filter((_, index) => ![before, after][index]);
      if (missing.length > 0)
        throw new RegistryInputError(missing.map((number) => `${service} has no version ${number}: its versions are 1 to ${versions[0]?.version}`));
      return schemaChanges(serviceSchema((before as ServiceVersion).sdl), serviceSchema((after as ServiceVersion).sdl));
    },
    recordUsage: (batch) => store.recordUsage(batch),
    usage: (coordinates, from = since()) => store.usage(coordinates, from),
    subscribe: (onChange) => subscribeToGraphs(store, onChange, { pollInterval, log }),
    close: () => (closed ??= store.close()),
  };
}
