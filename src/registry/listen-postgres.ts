import pg from 'pg';

/** A `LISTEN` that outlives its connection; `close` ends it. */
export interface Listening {
  close(): Promise<void>;
}

/** Options of {@link listenPostgres}. */
export interface ListenOptions {
  /** Called with each notification's payload. */
  onNotify: (payload: string) => void;
  /** Called once the connection is (again) listening: notifications sent while it was down are lost, so look for yourself. */
  onListening: () => void;
  /** Told once per outage, when the connection is lost or cannot be made. */
  onOutage: (error: Error) => void;
  /**
   * Longest wait between two reconnection attempts, milliseconds (the wait doubles from 100 ms).
   * @default 5000
   */
  maxBackoff?: number;
}

/**
 * Listens on a PostgreSQL channel on a dedicated connection (a pooled one would be handed to other
 * queries, and `LISTEN` is per connection). A lost connection is replaced, after a wait that
 * doubles up to `maxBackoff`, until `close`.
 */
export function listenPostgres(url: string, channel: string, { onNotify, onListening, onOutage, maxBackoff = 5_000 }: ListenOptions): Listening {
  let closed = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let backoff = 100;
  let down = false;

  const lost = (error: Error) => {
    if (!down) onOutage(error);
    down = true;
    client?.removeAllListeners();
    void client?.end().catch(() => undefined);
    client = undefined;
    if (closed) return;
    timer = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, maxBackoff);
  };
  async function connect() {
    const connection = new pg.Client({ connectionString: url });
    client = connection;
    connection.on('error', lost);
    connection.on('end', () => client === connection && lost(new Error('the LISTEN connection ended')));
    connection.on('notification', (message) => onNotify(message.payload ?? ''));
    try {
      await connection.connect();
      await connection.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      if (client === connection) lost(error as Error);
      return;
    }
    if (closed) return void connection.end().catch(() => undefined);
    down = false;
    backoff = 100;
    onListening();
  }
  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const connection = client;
      client = undefined;
      connection?.removeAllListeners();
      connection?.on('error', () => undefined);
      await connection?.end().catch(() => undefined);
    },
  };
}
