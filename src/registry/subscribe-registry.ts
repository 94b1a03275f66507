import type { RegistryStore } from './registry-store.ts';

/** A subscription to new graph versions; `close` ends it. */
export interface GraphSubscription {
  close(): Promise<void>;
}

/** Options of {@link subscribeToGraphs}. */
export interface SubscribeOptions {
  /** Milliseconds between two looks at the store when no notification can come (see `registry.pollInterval`). */
  pollInterval: number;
  /** Where outages of the store or of its notifications are told, once each, and their end. */
  log: (message: string) => void;
}

/**
 * Calls `onChange(version)` for each newer graph version, in increasing order of discovery (a
 * version may be skipped when two land between two looks: the newest is what counts).
 *
 * Where the store can notify (PostgreSQL `LISTEN concierge_registry`), a publish is heard at once;
 * the store is also read each time the `LISTEN` connection is (re)established, since notifications
 * sent while it was down are lost, and polled while it is down. Otherwise (the embedded store,
 * which only its own process opens, so that nobody else could notify) the store is polled.
 */
export function subscribeToGraphs(store: RegistryStore, onChange: (version: number) => void, { pollInterval, log }: SubscribeOptions): GraphSubscription {
  let known = 0;
  let closed = false;
  let storeDown = false;
  let timer: NodeJS.Timeout | undefined;
  const announce = (version: number) => {
    if (closed || !Number.isInteger(version) || version <= known) return;
    known = version;
    onChange(version);
  };
  const look = async () => {
    try {
      const version = await store.latestVersion();
      if (storeDown) log('schema registry: the store answers again');
      storeDown = false;
      if (version !== undefined) announce(version);
    } catch (error) {
      if (!storeDown) log(`schema registry: cannot read the latest graph version (${(error as Error).message}); trying again every ${pollInterval} ms`);
      storeDown = true;
    }
  };
  const poll = () => {
    if (closed || timer) return;
    timer = setInterval(() => void look(), pollInterval);
    timer.unref();
  };
  const stopPolling = () => {
    clearInterval(timer);
    timer = undefined;
  };
  const listening = store.listen?.({
    onNotify: (payload) => announce(Number(payload)),
    onListening: () => {
      stopPolling();
      void look();
    },
    onOutage: (error) => {
      log(`schema registry: not listening for new graph versions (${error.message}); polling every ${pollInterval} ms until reconnected`);
      poll();
    },
  });
  if (!listening) poll();
  return {
    async close() {
      closed = true;
      stopPolling();
      await listening?.close();
    },
  };
}
