import { configFilePath, loadConfig } from '../config/load-config.ts';
import { ConfigError } from '../config/config-error.ts';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import { displayPath, SchemaError } from '../sources/schema-error.ts';
import { watchFiles } from '../sources/watch-files.ts';
import { sdlFiles, watchSourceFiles, type SourceFilesFeed } from '../sources/watch-source-files.ts';
import { createGatewayLogger, type GatewayLogger } from '../observability/gateway-logger.ts';
import { runUntilSignal } from './run-until-signal.ts';
import { startGateway, type RunningGateway } from './start-gateway.ts';

/** A gateway started by `concierge dev`, with the feed of its sources' SDL files. */
interface DevSession {
  running: RunningGateway;
  feed: SourceFilesFeed;
}

/**
 * `concierge dev`: serves the gateway as `start` does, with GraphiQL on and pretty logs on a
 * terminal, and follows the files it is made of. A changed SDL file is composed and swapped in
 * without a restart (see `watchSourceFiles`), or refused with its problems while the running graph
 * stays. A changed config file is loaded again: when only `sources` differ, they are swapped in the
 * same way; otherwise the gateway is closed and started again on the same port. Resolves once
 * serving; SIGTERM or SIGINT stop it.
 */
export async function runDev(file: string | undefined): Promise<void> {
  const configFile = configFilePath(file);
  let config = forDevelopment(await loadConfig(configFile));
  // One logger for the whole session, at the first config's level and format: restarts keep it.
  const logger = createGatewayLogger(config.logging);
  const say = (message: string) => logger.info(message);
  const complain = (message: string) => logger.error(message);
  let session: DevSession | undefined = await startSession(config, logger);
  const port = Number(new URL(session.running.url).port);
  config = { ...config, port };

  const reload = async () => {
    let next: NormalizedConfig;
    try {
      next = forDevelopment(await loadConfig(configFile, undefined, undefined, { fresh: true }), port);
    } catch (error) {
      complain(`${displayPath(configFile)} changed but cannot be loaded; nothing changes until it can:\n${describe(error)}`);
      return;
    }
    const changed = changedKeys(config, next);
    if (changed.length === 0 && session) return;
    config = next;
    if (session && changed.every((key) => key === 'sources')) return session.feed.replace(next.sources);
    await session?.running.close();
    session = undefined;
    try {
      session = await startSession(next, logger);
      say(
        `dev: restarted at ${session.running.url}${next.graphqlEndpoint}: ${displayPath(configFile)} changed (${changed.join(', ') || 'after a failed start'})`,
      );
    } catch (error) {
      complain(`dev: the gateway did not restart; it starts again when ${displayPath(configFile)} changes:\n${describe(error)}`);
    }
  };
  let reloading = Promise.resolve();
  const watched = await watchFiles({ files: [configFile], log: complain, onChange: () => void (reloading = reloading.then(reload)) });
  await session.feed.watching();
  say(`dev: watching ${displayPath(configFile)} and ${sdlFiles(config.sources).length} SDL files`);
  say(`dev: serving ${session.running.gateway.sources.length} sources at ${session.running.url}${config.graphqlEndpoint} (GraphiQL on)`);
  runUntilSignal(
    {
      close: async () => {
        await watched.close();
        await reloading;
        await session?.running.close();
      },
    },
    logger,
  );
}

async function startSession(config: NormalizedConfig, logger: GatewayLogger): Promise<DevSession> {
  const feed = watchSourceFiles({ sources: config.sources, log: (message) => logger.error(message) });
  return { running: await startGateway(config, { sourcesFeed: feed, logger }), feed };
}

/** The config as dev serves it: GraphiQL on, pretty logs on a terminal, and the port it first bound once restarted. */
function forDevelopment(config: NormalizedConfig, port?: number): NormalizedConfig {
  const { logging } = config;
  const terminal = logging.destination === 'stdout' ? process.stdout.isTTY : logging.destination === 'stderr' ? process.stderr.isTTY : false;
  return {
    ...config,
    ...(port === undefined ? {} : { port }),
    graphiql: config.graphiql || { title: 'Concierge' },
    logging: terminal ? { ...logging, format: 'pretty' } : logging,
  };
}

/** The top-level config keys whose values differ (functions compared by their source text). */
function changedKeys(before: NormalizedConfig, after: NormalizedConfig): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof NormalizedConfig>;
  return [...keys].filter((key) => comparable(before[key]) !== comparable(after[key]));
}

function comparable(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'function' ? String(inner) : inner instanceof Set || inner instanceof Map ? [...inner] : inner,
  );
}

function describe(error: unknown): string {
  return error instanceof ConfigError || error instanceof SchemaError ? error.message : error instanceof Error ? error.message : String(error);
}
