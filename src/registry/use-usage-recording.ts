import { createHash } from 'node:crypto';
import { print } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { consumerOf } from '../auth/consumer.ts';
import type { Registry } from './create-registry.ts';
import { operationCoordinates } from './operation-coordinates.ts';
import type { NormalizedRegistry } from './registry-config.ts';
import { createUsageAggregate } from './usage-aggregate.ts';

/** The usage recorder plugin, and how to write what it counted now. */
export interface UsageRecording extends Plugin {
  /** Writes the usage counted so far to the store. */
  flush(): Promise<void>;
  /** Stops the timer and writes what is left. */
  close(): Promise<void>;
}

/** Options of {@link useUsageRecording} beside the registry config. */
export interface UsageRecordingOptions {
  /**
   * Distinct (hour, coordinate, document, client) rows held between two writes.
   * @default 50000
   */
  maxRows?: number;
  /** Where failed writes are told, once per outage. @default nowhere */
  log?: (message: string) => void;
}

/** The request headers that name the client, in order of preference. */
export const clientNameHeaders = ['graphql-client-name', 'apollographql-client-name'] as const;

/**
 * Records what each executed operation uses (see `operationCoordinates`): by the SHA-256 of its
 * document text and by client (`graphql-client-name`, `apollographql-client-name`, else the
 * consumer's name, else `unknown`), counted per hour in memory and written to the registry every
 * `usageFlushInterval` and on close. Placed before authorization, so the document counted is the
 * client's, before any field is cut from it.
 */
export function useUsageRecording(
  registry: Registry,
  { usageFlushInterval }: Pick<NormalizedRegistry, 'usageFlushInterval'>,
  options: UsageRecordingOptions = {},
): UsageRecording {
  const { maxRows = 50_000, log = () => {} } = options;
  const aggregate = createUsageAggregate(maxRows);
  let failing = false;
  let writing: Promise<void> = Promise.resolve();
  const write = async () => {
    const dropped = aggregate.dropped;
    const samples = aggregate.take();
    if (dropped > 0) log(`schema registry: ${dropped} operation uses not recorded: more than ${maxRows} distinct rows between two writes`);
    if (samples.length === 0) return;
    try {
      await registry.recordUsage(samples);
      if (failing) log('schema registry: usage is written again');
      failing = false;
    } catch (error) {
      aggregate.restore(samples);
      if (!failing) log(`schema registry: usage not written (${(error as Error).message}); kept in memory (at most ${maxRows} rows) and tried again`);
      failing = true;
    }
  };
  const flush = () => (writing = writing.then(write));
  const timer = setInterval(() => void flush(), usageFlushInterval);
  timer.unref();
  return {
    onExecute({ args }) {
      const { request, params } = args.contextValue as { request?: Request; params?: { query?: unknown } };
      const text = typeof params?.query === 'string' ? params.query : print(args.document);
      const documentHash = createHash('sha256').update(text).digest('hex');
      const named = request && clientNameHeaders.map((name) => request.headers.get(name)).find((value) => value);
      const client = named || (request && consumerOf(request)?.name) || 'unknown';
      aggregate.add(operationCoordinates(args.schema, args.document, args.operationName, args.variableValues ?? {}), documentHash, client, new Date());
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
