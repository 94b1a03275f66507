import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Registry, RegistryOptions } from '../../src/registry/create-registry.ts';
import { openRegistry } from '../../src/registry/open-registry.ts';
import type { RegistryLocation } from '../../src/registry/registry-config.ts';

/** A store backend the registry suites run on. */
export interface RegistryBackend {
  name: 'embedded' | 'postgres';
  /** Why the backend's tests are skipped (node:test's `skip` option), or `false`. */
  skip: string | false;
  /** A new, empty store for one test, removed when the test ends (pass or fail). */
  location(t: TestContext): Promise<RegistryLocation>;
}

/** A registry on a new store, and a way to open the same store again (a restart). */
export interface OpenedRegistry {
  registry: Registry;
  location: RegistryLocation;
  /** Opens the store again; the registry is closed when the test ends. */
  reopen(options?: RegistryOptions): Promise<Registry>;
}

const databaseUrl = process.env['DATABASE_URL'];
const migrations = fileURLToPath(new URL('../../src/registry/migrations/', import.meta.url));

let template: Promise<string> | undefined;

/**
 * A migrated embedded store to copy: PGlite's first start (its initdb) takes seconds, a copy of
 * its folder milliseconds. Each test still gets its own folder. The template is shared by every
 * test process of a run (and by later runs): it is kept in the temporary folder under a name
 * made from PGlite's version and the migrations, and moved into place whole, so that a process
 * sees either no template or a complete one.
 */
function embeddedTemplate(): Promise<string> {
  template ??= (async () => {
    const directory = path.join(tmpdir(), `concierge-registry-template-${await templateKey()}`);
    if (existsSync(path.join(directory, 'PG_VERSION'))) return directory;
    const building = await mkdtemp(path.join(tmpdir(), 'concierge-registry-building-'));
    try {
      await (await openRegistry({ store: 'embedded', directory: building })).close();
      await rename(building, directory);
    } catch (error) {
      // Another process moved its template into place first: use that one.
      if (!existsSync(path.join(directory, 'PG_VERSION'))) throw error;
    } finally {
      await rm(building, { recursive: true, force: true });
    }
    return directory;
  })();
  return template;
}

/** PGlite's version, the migrations and the registry's code: what a template's content depends on. */
async function templateKey(): Promise<string> {
  const hash = createHash('sha256');
  // The package's exports do not list its package.json: it is found beside the entry's folder.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  hash.update(await readFile(path.join(path.dirname(entry), '..', 'package.json')));
  // The migrations, and the registry's code that runs them when a store is opened.
  for (const folder of [migrations, path.dirname(migrations)]) {
    for (const name of (await readdir(folder)).sort()) if (/\.(sql|ts)$/.test(name)) hash.update(name).update(await readFile(path.join(folder, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The embedded store, and PostgreSQL when DATABASE_URL is set (a database per test, dropped after it). */
export const registryBackends: RegistryBackend[] = [
  {
    name: 'embedded',
    skip: false,
    async location(t) {
      const directory = await mkdtemp(path.join(tmpdir(), 'concierge-registry-'));
      t.after(() => rm(directory, { recursive: true, force: true }));
      await cp(await embeddedTemplate(), directory, { recursive: true });
      return { store: 'embedded', directory };
    },
  },
  {
    name: 'postgres',
    skip: databaseUrl
      ? false
      : 'DATABASE_URL is not set: the PostgreSQL store is tested only against a server (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)',
    async location(t) {
      const database = `concierge_registry_${randomBytes(6).toString('hex')}`;
      await admin(`CREATE DATABASE ${database}`);
      // FORCE: a registry the test left open must not keep the database alive.
      t.after(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      const url = new URL(databaseUrl as string);
      url.pathname = `/${database}`;
      return { store: 'postgres', url: url.href };
    },
  },
];

/** Opens a registry on a new store of a backend; everything is closed when the test ends. */
export async function openTestRegistry(t: TestContext, backend: RegistryBackend, options: RegistryOptions = {}): Promise<OpenedRegistry> {
  const opened: Registry[] = [];
  // Before the store's own cleanup, since hooks run in the order they are added: close, then remove.
  t.after(() => Promise.all(opened.map((registry) => registry.close())));
  const location = await backend.location(t);
  const reopen = async (again: RegistryOptions = options) => {
    const registry = await openRegistry(location, again);
    opened.push(registry);
    return registry;
  };
  return { registry: await reopen(), location, reopen };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
