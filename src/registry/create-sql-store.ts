import type { ListenOptions } from './listen-postgres.ts';
import type { CheckReport } from './check-report.ts';
import type {
  CheckRecord,
  GraphVersion,
  NewGraphVersion,
  RegistryReads,
  RegistryStore,
  RegistryTransaction,
  ServiceKind,
  ServiceVersion,
  StoredAnnouncement,
  UsageRecord,
  UsageSample,
} from './registry-store.ts';
import { registryLockKey } from './run-migrations.ts';
import type { SqlClient, SqlQueryable } from './sql-client.ts';

/** The channel a new graph version is announced on (`NOTIFY`, payload: its number), for gateways that follow the registry. */
export const registryChannel = 'concierge_registry';

const hour = 3_600_000;

/**
 * The registry store over a migrated SQL database (see `runMigrations`): the same statements on
 * PGlite and on a PostgreSQL server.
 *
 * Why writes are exclusive: a publish checks the candidate against the current graph, then stores
 * it. Two publishes checked side by side (of two services, each fine with the old graph) could
 * both pass and together make a graph nobody checked, and would compute the same next version.
 * So every write runs in a transaction that first takes one transaction-scoped advisory lock; the
 * second publish waits, then reads the graph the first one made. That needs READ COMMITTED (each
 * statement sees what committed before it), which both clients use: under REPEATABLE READ the
 * snapshot would be taken by the lock statement itself, before the wait, and miss the first
 * publish. The primary keys on (service, version) and on the graph version stay as the last guard.
 */
export function createSqlStore(sql: SqlClient): RegistryStore {
  return {
    ...readsOver(sql),
    exclusive: (work) =>
      sql.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [registryLockKey]);
        return work(transactionOver(tx));
      }),
    async recordUsage(batch) {
      const rows = sumSamples(batch);
      if (rows.length === 0) return;
      await sql.query(
        `INSERT INTO usage (hour, coordinate, document_hash, client, count)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::bigint[])
         ON CONFLICT (hour, coordinate, document_hash, client) DO UPDATE SET count = usage.count + excluded.count`,
        [
          rows.map((row) => row.hour),
          rows.map((row) => row.coordinate),
          rows.map((row) => row.documentHash),
          rows.map((row) => row.client),
          rows.map((row) => row.count),
        ],
      );
    },
    async latestVersion() {
      const [row] = await sql.query<{ version: number | null }>('SELECT max(version) AS version FROM graph_versions');
      return row?.version === null || row?.version === undefined ? undefined : Number(row.version);
    },
    ...(sql.listen ? { listen: (options: ListenOptions) => (sql.listen as NonNullable<SqlClient['listen']>)(registryChannel, options) } : {}),
    async announceInstance({ service, url, weight, heartbeatAt, expiresAt }) {
      await sql.query('DELETE FROM announced_instances WHERE expires_at <= $1', [heartbeatAt]);
      const [row] = await sql.query<AnnouncementRow>(
        `INSERT INTO announced_instances (service, url, weight, announced_at, heartbeat_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)
         ON CONFLICT (service, url) DO UPDATE SET weight = excluded.weight, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at
         RETURNING *`,
        [service, url, weight, heartbeatAt, expiresAt],
      );
      return toAnnouncement(row as AnnouncementRow);
    },
    async withdrawInstance(service, url, now) {
      const rows = await sql.query('DELETE FROM announced_instances WHERE service = $1 AND url = $2 RETURNING expires_at > $3 AS live', [service, url, now]);
      return rows.some((row) => row['live'] === true);
    },
    async announcedInstances(now) {
      const rows = await sql.query<AnnouncementRow>('SELECT * FROM announced_instances WHERE expires_at > $1 ORDER BY service, url', [now]);
      return rows.map(toAnnouncement);
    },
    async pruneUsage(before) {
      const [row] = await sql.query<{ count: number }>(
        'WITH gone AS (DELETE FROM usage WHERE hour < $1 RETURNING 1) SELECT count(*)::integer AS count FROM gone',
        [before],
      );
      return Number(row?.count);
    },
    close: () => sql.close(),
  };
}

function transactionOver(tx: SqlQueryable): RegistryTransaction {
  const reads = readsOver(tx);
  return {
    ...reads,
    async addGraphVersion({ sdl, author, at, changes, keep }) {
      const previous = await reads.latestGraph();
      const graphVersion = (previous?.version ?? 0) + 1;
      await tx.query('INSERT INTO graph_versions (version, sdl, author, created_at) VALUES ($1, $2, $3, $4)', [graphVersion, sdl, author, at]);
      const members = new Map(keep.map((member) => [member.service, member.version]));
      for (const change of changes) {
        const [row] = await tx.query<{ version: number }>(
          `INSERT INTO service_versions (service, version, action, kind, urls, sdl, options, author, forced, restored_from, published_at, graph_version)
           SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4::jsonb, $5, $6::jsonb, $7, $8, $9, $10, $11 FROM service_versions WHERE service = $1
           RETURNING version`,
          [
            change.service,
            change.action,
            change.kind,
            JSON.stringify(change.urls),
            change.sdl,
            JSON.stringify(change.options),
            author,
            change.forced ?? false,
            change.restoredFrom ?? null,
            at,
            graphVersion,
          ],
        );
        if (change.action === 'delete') members.delete(change.service);
        else members.set(change.service, Number(row?.version));
      }
      const order = [...(previous?.services.map((service) => service.service) ?? []), ...changes.map((change) => change.service)];
      const positioned = [...members].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
      for (const [position, [service, version]] of positioned.entries()) {
        await tx.query('INSERT INTO graph_services (graph_version, service, service_version, position) VALUES ($1, $2, $3, $4)', [
          graphVersion,
          service,
          version,
          position,
        ]);
      }
      await tx.query('SELECT pg_notify($1, $2)', [registryChannel, String(graphVersion)]);
      return (await reads.graph(graphVersion)) as GraphVersion;
    },
    async recordCheck(record) {
      const [row] = await tx.query<{ id: string | number }>(
        `INSERT INTO checks (service, action, base_graph_version, passed, forced, author, report, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) RETURNING id`,
        [
          record.service,
          record.action,
          record.baseGraphVersion ?? null,
          record.passed,
          record.forced,
          record.author,
          JSON.stringify(record.report),
          record.createdAt,
        ],
      );
      return { ...record, id: Number(row?.id) };
    },
  };
}

function readsOver(sql: SqlQueryable): RegistryReads {
  const graph = async (version: number | undefined): Promise<GraphVersion | undefined> => {
    if (version === undefined) return undefined;
    const [row] = await sql.query<GraphRow>('SELECT version, sdl, author, created_at FROM graph_versions WHERE version = $1', [version]);
    if (!row) return undefined;
    const services = await sql.query<ServiceRow>(
      `SELECT sv.* FROM graph_services gs JOIN service_versions sv ON sv.service = gs.service AND sv.version = gs.service_version
       WHERE gs.graph_version = $1 ORDER BY gs.position`,
      [version],
    );
    return { version: Number(row.version), sdl: row.sdl, author: row.author, createdAt: new Date(row.created_at), services: services.map(toServiceVersion) };
  };
  return {
    async latestGraph() {
      const [row] = await sql.query<{ version: number | null }>('SELECT max(version) AS version FROM graph_versions');
      return graph(row?.version === null || row?.version === undefined ? undefined : Number(row.version));
    },
    graph,
    async serviceVersion(service, version) {
      const [row] = await sql.query<ServiceRow>('SELECT * FROM service_versions WHERE service = $1 AND version = $2', [service, version]);
      return row && toServiceVersion(row);
    },
    async serviceVersions(service) {
      const rows = await sql.query<ServiceRow>(
        service === undefined
          ? 'SELECT * FROM service_versions ORDER BY graph_version DESC, service'
          : 'SELECT * FROM service_versions WHERE service = $1 ORDER BY version DESC',
        service === undefined ? [] : [service],
      );
      return rows.map(toServiceVersion);
    },
    async knownServices() {
      return (await sql.query<{ service: string }>('SELECT DISTINCT service FROM service_versions ORDER BY service')).map((row) => row.service);
    },
    async checks({ service, limit = 100 } = {}) {
      const rows = await sql.query<CheckRow>(
        `SELECT * FROM checks ${service === undefined ? '' : 'WHERE service = $2'} ORDER BY id DESC LIMIT $1`,
        service === undefined ? [limit] : [limit, service],
      );
      return rows.map(toCheckRecord);
    },
    async usage(coordinates, since) {
      if (coordinates.length === 0) return [];
      const rows = await sql.query<{ coordinate: string; document_hash: string; client: string; count: string | number }>(
        `SELECT coordinate, document_hash, client, sum(count) AS count FROM usage
         WHERE coordinate = ANY($1::text[]) AND hour >= $2
         GROUP BY coordinate, document_hash, client ORDER BY coordinate, count DESC, document_hash, client`,
        [[...coordinates], new Date(Math.floor(since.getTime() / hour) * hour)],
      );
      return rows.map((row): UsageRecord => ({ coordinate: row.coordinate, documentHash: row.document_hash, client: row.client, count: Number(row.count) }));
    },
  };
}

/** Samples summed per hour, coordinate, document and client: one row each, as one upsert may touch a row once. */
function sumSamples(batch: readonly UsageSample[]): Array<UsageRecord & { hour: string }> {
  const rows = new Map<string, UsageRecord & { hour: string }>();
  for (const { coordinate, documentHash, client = '', count = 1, at } of batch) {
    const bucket = new Date(Math.floor(at.getTime() / hour) * hour).toISOString();
    const key = JSON.stringify([bucket, coordinate, documentHash, client]);
    const row = rows.get(key);
    if (row) row.count += count;
    else rows.set(key, { hour: bucket, coordinate, documentHash, client, count });
  }
  return [...rows.values()].filter((row) => row.count > 0);
}

interface GraphRow {
  version: number;
  sdl: string;
  author: string;
  created_at: Date | string;
}

interface ServiceRow {
  service: string;
  version: number;
  action: ServiceVersion['action'];
  kind: ServiceKind;
  urls: string[];
  sdl: string;
  options: Record<string, unknown>;
  author: string;
  forced: boolean;
  restored_from: number | null;
  published_at: Date | string;
  graph_version: number;
}

interface CheckRow {
  id: string | number;
  service: string;
  action: CheckRecord['action'];
  base_graph_version: number | null;
  passed: boolean;
  forced: boolean;
  author: string;
  report: CheckReport;
  created_at: Date | string;
}

function toServiceVersion(row: ServiceRow): ServiceVersion {
  return {
    service: row.service,
    version: Number(row.version),
    action: row.action,
    kind: row.kind,
    urls: row.urls,
    sdl: row.sdl,
    options: row.options,
    author: row.author,
    forced: row.forced,
    ...(row.restored_from === null ? {} : { restoredFrom: Number(row.restored_from) }),
    publishedAt: new Date(row.published_at),
    graphVersion: Number(row.graph_version),
  };
}

interface AnnouncementRow {
  service: string;
  url: string;
  weight: number;
  announced_at: Date | string;
  heartbeat_at: Date | string;
  expires_at: Date | string;
}

function toAnnouncement(row: AnnouncementRow): StoredAnnouncement {
  return {
    service: row.service,
    url: row.url,
    weight: Number(row.weight),
    announcedAt: new Date(row.announced_at),
    heartbeatAt: new Date(row.heartbeat_at),
    expiresAt: new Date(row.expires_at),
  };
}

function toCheckRecord(row: CheckRow): CheckRecord {
  return {
    id: Number(row.id),
    service: row.service,
    action: row.action,
    ...(row.base_graph_version === null ? {} : { baseGraphVersion: Number(row.base_graph_version) }),
    passed: row.passed,
    forced: row.forced,
    author: row.author,
    report: row.report,
    createdAt: new Date(row.created_at),
  };
}
