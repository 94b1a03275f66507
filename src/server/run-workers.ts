import type { GatewayLogger } from '../observability/gateway-logger.ts';
import cluster, { type Worker } from 'node:cluster';

/** How the cluster primary supervises its workers. */
export interface WorkerPoolOptions {
  /** Workers serving the shared port. */
  workers: number;
  /** Where the primary's messages go (each worker logs through its own gateway's logger). */
  logger: GatewayLogger;
  /**
   * Crashes within `crashWindow` ms after which the primary stops instead of respawning
   * (a worker that dies at once, e.g. on a broken config, would otherwise restart forever).
   * @default 5
   */
  maxCrashes?: number;
  /**
   * A worker takes about 2 s to compose on a small machine, so a broken config crashes
   * about 5 times in 10 s: the window is wider so such a loop is always caught.
   * @default 60_000
   */
  crashWindow?: number;
}

/** What a worker tells the primary, over the cluster's IPC channel. */
export type WorkerMessage =
  | {
      concierge: 'listening';
      url: string;
      sources: number;
      inProcessState: string[];
      /** The longest the worker's drain may take, in ms: past it (and `killGrace`) the primary kills it. */
      drainTimeout: number;
    }
  | { concierge: 'failed'; message: string };

type Listening = Extract<WorkerMessage, { concierge: 'listening' }>;

interface Member {
  worker: Worker;
  /** Resolves once the worker listens; rejects with the reason it stopped first. */
  listening: Promise<Listening>;
  /** Resolves once the worker process exited, whatever the reason. */
  exited: Promise<void>;
  /** Why the worker could not start, as it reported. */
  failure?: string;
  ready: boolean;
  /** As the worker reported once listening. */
  drainTimeout?: number;
  /** A respawn counts as a crash when it fails to start; a rolling restart's new worker does not. */
  kind: 'initial' | 'respawn' | 'restart';
  /** Asked to drain: its exit is expected. */
  retiring: boolean;
}

/** Time past a worker's own drain timeout for it to close its upstream pools and exit, before it is killed. */
const killGrace = 5_000;

const describe = (worker: Worker) => `worker ${worker.id} (pid ${worker.process.pid})`;

/**
 * The cluster primary: forks `workers` gateways that share one port, prints one `serving` line once
 * all listen, respawns a crashed worker at once (stopping with exit code 1 after `maxCrashes`
 * crashes within `crashWindow`), drains every worker on SIGTERM/SIGINT, and replaces the workers
 * one by one on SIGHUP. Resolves with the process exit code once every worker has exited.
 *
 * A rolling restart keeps the port answering every request: it retires a worker only once its
 * replacement listens, and waits until the retired one has exited before the next, so at most one
 * worker more than `workers` runs and the next SIGHUP counts the right workers. The retiring
 * worker drains (serve-as-worker.ts) and is killed if it outlives its drain timeout.
 */
export function runWorkers({ workers: size, logger, maxCrashes = 5, crashWindow = 60_000 }: WorkerPoolOptions): Promise<number> {
  const log = (line: string) => logger.info(line);
  const members = new Set<Member>();
  const crashes: number[] = [];
  let state: 'starting' | 'running' | 'restarting' | 'stopping' = 'starting';
  let exitCode = 0;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));

  const spawn = (kind: Member['kind']): Member => {
    const worker = cluster.fork();
    let settle: { resolve(message: Listening): void; reject(error: Error): void } | undefined;
    const listening = new Promise<Listening>((resolve, reject) => (settle = { resolve, reject }));
    listening.catch(() => {});
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const member: Member = { worker, listening, exited, ready: false, kind, retiring: false };
    worker.on('message', (message: WorkerMessage) => {
      if (message.concierge === 'failed') member.failure = message.message;
      else if (message.concierge === 'listening') {
        member.ready = true;
        member.drainTimeout = message.drainTimeout;
        settle?.resolve(message);
      }
    });
    // 'disconnect' comes after every message the worker sent, so its failure is known by then.
    worker.on('disconnect', () => settle?.reject(new Error(member.failure ?? `${describe(worker)} stopped before listening`)));
    worker.on('exit', (code, signal) => {
      members.delete(member);
      if (state === 'stopping') {
        if (members.size === 0) finish(exitCode);
      } else if (!member.retiring && (member.ready || kind === 'respawn')) onCrash(member, signal ?? `code ${code}`);
    });
    members.add(member);
    return member;
  };

  /** Asks a worker to drain (one still starting just ends), kills it past its drain timeout; resolves once it exited. */
  const retire = (member: Member): Promise<void> => {
    if (member.retiring) return member.exited;
    member.retiring = true;
    member.worker.process.kill('SIGTERM');
    const kill = setTimeout(() => member.worker.process.kill('SIGKILL'), (member.drainTimeout ?? 0) + killGrace);
    return member.exited.finally(() => clearTimeout(kill));
  };

  const onCrash = ({ worker, failure }: Member, how: string) => {
    const now = Date.now();
    crashes.push(now);
    while ((crashes[0] ?? now) <= now - crashWindow) crashes.shift();
    if (crashes.length >= maxCrashes) {
      logger.error(
        `${describe(worker)} exited with ${how}: ${crashes.length} crashes within ${crashWindow / 1000} s, stopping${failure ? `. Last error:\n${failure}` : ''}`,
      );
      stop(1);
      return;
    }
    logger.warn(`${describe(worker)} exited with ${how}; respawned as ${describe(spawn('respawn').worker)}`);
  };

  const stop = (code: number) => {
    if (state === 'stopping') return;
    state = 'stopping';
    exitCode = code;
    for (const member of members) void retire(member);
    if (members.size === 0) finish(code);
  };

  const rollingRestart = async () => {
    if (state !== 'running') return;
    state = 'restarting';
    const serving = [...members].filter((member) => !member.retiring);
    log(`SIGHUP: restarting ${serving.length} workers one by one`);
    for (const old of serving) {
      if (!members.has(old)) continue;
      const fresh = spawn('restart');
      try {
        await fresh.listening;
      } catch (error) {
        await retire(fresh);
        if (state !== 'restarting') return;
        state = 'running';
        logger.error(`rolling restart stopped, the running workers keep serving:\n${(error as Error).message}`);
        return;
      }
      if (state !== 'restarting') return;
      log(`${describe(old.worker)} replaced by ${describe(fresh.worker)}`);
      await retire(old);
      if (state !== 'restarting') return;
    }
    state = 'running';
    log('rolling restart done');
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (state === 'stopping') process.exit(1);
    log(`${signal}: draining ${members.size} workers`);
    stop(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', () => void rollingRestart());

  const initial = Array.from({ length: size }, () => spawn('initial'));
  Promise.all(initial.map((member) => member.listening)).then(
    ([first]) => {
      if (state !== 'starting' || !first) return;
      state = 'running';
      log(`serving ${first.sources} sources at ${first.url} with ${size} workers (pids ${initial.map(({ worker }) => worker.process.pid).join(', ')})`);
      if (size > 1 && first.inProcessState.length > 0) {
        logger.warn(
          `warning: ${first.inProcessState.join(' and ')} live in each worker's memory, so each worker counts on its own: configure redis to share them`,
        );
      }
    },
    (error: Error) => {
      if (state !== 'starting') return;
      // A start-up failure (a config or schema error) is the command's output, as without workers: plain text.
      process.stderr.write(`${error.message}\n`);
      stop(1);
    },
  );
  return finished;
}
