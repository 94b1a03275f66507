import { createRegistry, type Registry, type RegistryOptions } from './create-registry.ts';
import { createSqlStore } from './create-sql-store.ts';
import type { RegistryLocation } from './registry-config.ts';
import { runMigrations } from './run-migrations.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * Opens the registry at a location (an embedded PGlite folder, created when missing, or a
 * PostgreSQL server) and brings its tables up to date.
 */
export async function openRegistry(location: RegistryLocation, options: RegistryOptions = {}): Promise<Registry> {
  // Each backend's client is loaded only when used: PGlite's WebAssembly is large.
  const sql: SqlClient =
    location.store === 'embedded'
      ? await (await import('./create-pglite-client.ts')).createPGliteClient(location.directory)
      : (await import('./create-postgres-client.ts')).createPostgresClient(location.url);
  try {
    await runMigrations(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  return createRegistry(createSqlStore(sql), options);
}
