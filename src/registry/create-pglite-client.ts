import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient, SqlQueryable } from './sql-client.ts';

/**
 * The embedded backend: PGlite (PostgreSQL compiled to WebAssembly) keeping its files in
 * `directory`, created when missing. PGlite runs one transaction at a time, and only one process
 * may open a folder at a time: a lock file in the folder says which (a second opener is refused,
 * where PGlite itself would wait forever or damage the files).
 */
export async function createPGliteClient(directory: string): Promise<SqlClient> {
  await mkdir(directory, { recursive: true });
  const release = await lockFolder(directory);
  let db: PGlite;
  try {
    db = await PGlite.create(directory);
  } catch (error) {
    await release();
    throw error;
  }
  const over = (target: Pick<PGlite, 'query' | 'exec'>): SqlQueryable => ({
    query: async <Row>(sql: string, params: readonly unknown[] = []) => (await target.query<Row>(sql, [...params])).rows,
    exec: async (sql) => {
      await target.exec(sql);
    },
  });
  return {
    ...over(db),
    transaction: (work) => db.transaction((tx) => work(over(tx))),
    close: () => db.close().finally(release),
  };
}

/** Takes the folder's lock file (`registry.lock`, holding the owner's pid); one left by a process that ended is taken over. */
async function lockFolder(directory: string): Promise<() => Promise<void>> {
  const file = path.join(directory, 'registry.lock');
  const release = () => rm(file, { force: true });
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const owner = Number(await readFile(file, 'utf8').catch(() => ''));
    if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
      throw new Error(`${directory} is open in process ${owner} (one process at a time; store: 'postgres' is shared)`);
    }
    await release();
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
