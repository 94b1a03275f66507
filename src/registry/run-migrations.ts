import { readdirSync, readFileSync } from 'node:fs';
import type { SqlClient } from './sql-client.ts';

/** A migration: its number and name come from its file name, `0001-initial.sql`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const folder = new URL('./migrations/', import.meta.url);

/** The registry's migrations, in order: every `NNNN-name.sql` file of `migrations/`. */
export const migrations: readonly Migration[] = readdirSync(folder)
  .flatMap((file) => {
    const match = /^(\d{4})-([\w-]+)\.sql$/.exec(file);
    return match ? [{ version: Number(match[1]), name: match[2] ?? '', sql: readFileSync(new URL(file, folder), 'utf8') }] : [];
  })
  .sort((a, b) => a.version - b.version);

/**
 * The advisory lock key every registry write holds (migrations and graph changes alike), so that
 * two processes never interleave them. Any constant works; this one spells "cncg".
 */
export const registryLockKey = 0x636e6367;

/**
 * Brings a store's tables up to date: applies, in one transaction under the registry lock, each
 * migration that `schema_migrations` does not list, and lists it. Running it again changes nothing;
 * two processes running it at once apply each migration once.
 * @returns the versions it applied.
 */
export async function runMigrations(sql: SqlClient, list: readonly Migration[] = migrations): Promise<number[]> {
  return sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [registryLockKey]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((row) => row.version));
    const pending = list.filter((migration) => !applied.has(migration.version));
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    return pending.map((migration) => migration.version);
  });
}
