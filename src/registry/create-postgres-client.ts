import pg from 'pg';
import { listenPostgres } from './listen-postgres.ts';
import type { SqlClient, SqlQueryable } from './sql-client.ts';

/** The shared backend: a pool of connections to a PostgreSQL server (`postgres://...`). */
export function createPostgresClient(url: string): SqlClient {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle connection the server drops is replaced on the next query; unheard, the error would end the process.
  pool.on('error', (error) => process.emitWarning(`schema registry: an idle PostgreSQL connection failed: ${error.message}`));
  const over = (target: pg.Pool | pg.PoolClient): SqlQueryable => ({
    query: async <Row>(sql: string, params: readonly unknown[] = []) => (await target.query(sql, [...params])).rows as Row[],
    exec: async (sql) => {
      await target.query(sql);
    },
  });
  return {
    ...over(pool),
    async transaction(work) {
      const connection = await pool.connect();
      let broken: Error | undefined;
      try {
        await connection.query('BEGIN ISOLATION LEVEL READ COMMITTED');
        const result = await work(over(connection));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        // The work's error is the one to report; a connection that cannot even roll back is discarded, not reused.
        broken = await connection.query('ROLLBACK').then(
          () => undefined,
          (rollbackError: Error) => rollbackError,
        );
        throw error;
      } finally {
        connection.release(broken);
      }
    },
    listen: (channel, options) => listenPostgres(url, channel, options),
    close: () => pool.end(),
  };
}
