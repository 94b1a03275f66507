import { describeError, silentLogger, type GatewayLogger } from '../observability/gateway-logger.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAsyncIterable } from '@graphql-tools/utils';
import { getOperationAST, type DocumentNode, type ExecutionResult, type Source } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { consumerOf } from '../auth/consumer.ts';
import { clientOf } from '../clients/client-of.ts';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import { createAccessLogger } from '../observability/access-log-logger.ts';
import { executionOf } from './use-query-plans.ts';
import { accessLevel, accessLine, accessMessage, loggedHeaders, type RequestKind, type RequestOutcome } from '../observability/access-log-line.ts';
import { documentHashOf, errorCodesIn, recordUpstreamCall, redactVariables, roundMs, type AccessRecord } from '../observability/access-log-record.ts';
import { assignRequestId, requestIdHeader, requestIdOf } from '../observability/request-id.ts';
import { isProxiedResponse, routeOf } from '../routes/route-request.ts';
import { clientAddressOf } from '../security/client-address.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import type { FetchHooks } from '../transport/fetch-hooks.ts';
import { sha256Of } from '../trusted-documents/document-id.ts';
import { ObjectSlot } from '../object-slot.ts';
import { bindRun } from '../bind-run.ts';

type NodeContext = { req?: IncomingMessage; res?: ServerResponse };

const probePaths = new Set(['/healthz', '/readyz']);

/**
 * Request ids and the access log. Every request gets its id first thing (`onRequest`), which the
 * response echoes as `x-request-id`, every upstream call carries, and errors show as
 * `extensions.requestId`. Once the response is sent (the socket's `close`), one line is written
 * with the caller, the operation, the final error codes and every upstream call the request made,
 * in the order they started; see `accessLevel` for the levels and `LoggingConfig` for sampling.
 *
 * The final error codes are read from the response body, and only when a result had errors or the
 * status is an error: the plugins that give errors their codes run after this one, which runs
 * first so that it sees refusals too.
 */
export async function useAccessLog(
  config: NormalizedConfig,
  fetchHooks: FetchHooks,
  _sources: readonly LoadedSource[],
  gatewayLogger: GatewayLogger = silentLogger,
): Promise<Plugin & { close(): Promise<void> }> {
  const options = config.logging;
  const { logger, close } = createAccessLogger(options, secretHeaders(config));
  const logging = logger.isLevelEnabled('error');
  const atDebug = logger.isLevelEnabled('debug');
  const records = new ObjectSlot<Request, AccessRecord>('access log record');
  let closed = false;
  // Calls name their path below the source's URL (`''` for a GraphQL endpoint); lines show it whole.
  const basePaths = new Map(config.sources.map((source) => [source.name, new URL(source.url).pathname.replace(/\/+$/, '')]));

  const kindOf = (record: AccessRecord): RequestKind => {
    if (probePaths.has(record.path)) return 'probe';
    if (record.route) return 'route';
    const html = record.response?.headers.get('content-type')?.startsWith('text/html');
    return record.path === config.graphqlEndpoint && record.method !== 'OPTIONS' && !html ? 'graphql' : 'other';
  };
  const finish = (request: Request, record: AccessRecord, context: NodeContext) => {
    if (closed) return;
    const durationMs = roundMs(performance.now() - record.started);
    const { res, req } = context;
    const kind = kindOf(record);
    const outcome: RequestOutcome = {
      kind,
      status: res ? (res.headersSent ? res.statusCode : null) : (record.response?.status ?? null),
      durationMs,
      slow: kind === 'graphql' && durationMs >= options.slowMs,
      cache: record.response?.headers.get('x-cache') ?? null,
      execution: executionOf(request) ?? null,
      consumer: consumerOf(request),
      client: clientOf(request),
      clientAddress: clientAddressOf(request) || req?.socket.remoteAddress || null,
    };
    if (atDebug) outcome.headers = loggedHeaders(request.headers);
    const level = accessLevel(outcome, record.errorCodes);
    if (!logger.isLevelEnabled(level) || (level === 'info' && !(Math.random() < options.sampleRate))) return;
    logger[level](accessLine(record, outcome), accessMessage(record, outcome));
  };
  const track = (request: Request, path: string, context: NodeContext): AccessRecord => {
    const route = routeOf(request)?.route.pattern.text;
    const record: AccessRecord = {
      requestId: assignRequestId(request),
      started: performance.now(),
      method: request.method,
      path,
      hadErrors: false,
      errorCodes: [],
      upstream: [],
    };
    if (route) record.route = route;
    records.set(request, record);
    // Bound, not a closure over the request (see bindRun).
    if (logging) context.res?.once('close', bindRun(finishOnClose, { finish, request, record, context, logger: gatewayLogger }));
    return record;
  };

  fetchHooks.add((event) => {
    const id = event.origin && requestIdOf(event.origin);
    if (id !== undefined) event.headers[requestIdHeader] = id;
    // A shadow copy is not the request's call: only a difference is told (never the bodies).
    if (event.mirror)
      return logging
        ? ({ mirror }) =>
            mirror?.log &&
            logger.warn(
              { mirror: { service: event.service, requestId: id, ...mirror.difference } },
              `mirror of ${event.service} answered differently at ${mirror.difference?.path}`,
            )
        : undefined;
    if (event.ignoredOverride && atDebug)
      logger.debug({ requestId: id, service: event.service, version: event.version }, `version override ignored: ${event.ignoredOverride}`);
    const record = logging && event.origin ? records.get(event.origin) : undefined;
    return record && recordUpstreamCall(record, event, (basePaths.get(event.service) ?? '') + event.path || '/');
  });

  return {
    onRequest({ request, url, serverContext }) {
      track(request, url.pathname, serverContext as NodeContext);
    },
    onParams({ request, params }) {
      const record = logging ? records.get(request) : undefined;
      if (!record) return;
      record.documentHash ??= documentHashOf(params);
      if (params.operationName) record.operationName ??= params.operationName;
      if (atDebug && params.variables) record.variables ??= redactVariables(params.variables, options.redactVariables);
    },
    onParse({ context, params: { source } }) {
      const record = logging ? records.get(context.request) : undefined;
      if (!record) return;
      // Bound, not a closure over the request's record (see bindRun).
      return bindRun(recordOperation, { record, source, params: context.params });
    },
    onResultProcess({ request, result }) {
      const record = records.get(request);
      if (record && !isAsyncIterable(result))
        record.hadErrors ||= (Array.isArray(result) ? result : [result]).some((item: ExecutionResult) => Boolean(item.errors?.length));
    },
    // Synchronous unless an error answer's body must be read for its codes: a promise here makes Yoga chain every later hook.
    onResponse({ request, response, setResponse, serverContext, fetchAPI }) {
      const record = records.get(request) ?? track(request, new URL(request.url).pathname, serverContext as NodeContext);
      response.headers.set(requestIdHeader, record.requestId);
      const settle = (final: Response) => {
        record.response = final;
        if (logging && !(serverContext as NodeContext).res) setImmediate(() => safely(() => finish(request, record, {}), gatewayLogger));
      };
      // A service's answer through a route is its own, streamed: not read for codes.
      if (logging && (record.hadErrors || response.status >= 400) && /json/.test(response.headers.get('content-type') ?? '') && !isProxiedResponse(response)) {
        return response.text().then((body) => {
          record.errorCodes = errorCodesIn(body);
          const final = new fetchAPI.Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
          setResponse(final);
          settle(final);
        });
      }
      settle(response);
    },
    async close() {
      // The last responses' sockets report `close` on the next ticks: their lines go first.
      await new Promise((resolve) => setImmediate(resolve));
      closed = true;
      await close();
    },
  };
}

/** Headers pino redacts wherever a line holds them: credentials, including the configured API-key and identity headers. */
function secretHeaders(config: NormalizedConfig): string[] {
  const configured = [config.authentication.apiKeys?.header, config.identity.signedToken?.header].filter((name): name is string => name !== undefined);
  return [...new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', ...configured.map((name) => name.toLowerCase())])];
}

/** A log line must never take the process down: it runs in a socket event. */
function safely(write: () => void, logger: GatewayLogger): void {
  try {
    write();
  } catch (error) {
    logger.error(`access log line not written: ${describeError(error, true)}`);
  }
}

/** Notes the operation a parse found in the request's record (once: a batch's first operation names it). */
function recordOperation(
  { record, source, params }: { record: AccessRecord; source: string | Source; params: { operationName?: string | null } },
  { result }: { result: DocumentNode | Error | null | undefined },
): void {
  if (!result || result instanceof Error || record.operationType !== undefined) return;
  record.documentHash ??= sha256Of(typeof source === 'string' ? source : source.body);
  const operation = getOperationAST(result, params.operationName);
  if (!operation) return;
  record.operationType = operation.operation;
  record.operationName ??= operation.name?.value;
}

/** Writes a request's line once its connection has sent the answer (or closed); a failure is logged, never thrown. */
function finishOnClose(run: {
  finish: (request: Request, record: AccessRecord, context: NodeContext) => void;
  request: Request;
  record: AccessRecord;
  context: NodeContext;
  logger: GatewayLogger;
}): void {
  safely(() => run.finish(run.request, run.record, run.context), run.logger);
}
