import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Dispatcher } from 'undici';
import { isErrorCode } from '../errors.ts';
import type { NormalizedNetwork } from '../security/network-config.ts';
import { errorResponse } from '../server/error-response.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { upstreamIdentityOf } from '../transport/upstream-headers.ts';
import { appendVia, forwardingHeaders, forwardingNames, withoutHopByHop } from './forwarded-headers.ts';
import { streamedBody } from './limit-body.ts';
import { upstreamPathOf } from './route-pattern.ts';
import { markProxied, type RouteRequest } from './route-request.ts';

/** What proxying one route request needs. */
export interface ProxyCall {
  request: Request;
  /** The Node request and response under it, when served by Node: the body streams from one and the answer to the other. */
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
  matched: RouteRequest;
  source: LoadedSource;
  network: NormalizedNetwork;
  /** Lower-case names of the gateway's own credentials (the API-key header): never passed on. */
  credentialHeaders: readonly string[];
  /** Headers added to the answer (RateLimit-*). */
  answerHeaders: Record<string, string>;
  Response: typeof Response;
}

/** `Expect` is answered by Node itself (100 Continue) and undici refuses to send it. */
const answeredHere = ['expect'];

/**
 * Passes one request to the route's service through the source's client and its answer back,
 * both bodies streamed (see `HttpClient.proxy`). The service's answer, whatever its status, goes
 * back as it came but for hop-by-hop headers, plus `Via`. A call that fails is answered with the
 * client's error code and a message naming the service, never its URL: 502
 * `DOWNSTREAM_SERVICE_ERROR`, 504 `GATEWAY_TIMEOUT`, 503 `SERVICE_UNAVAILABLE` (its breaker), 413
 * `PAYLOAD_TOO_LARGE` (a chunked body over `maxBodyBytes`). The client going away aborts the call;
 * the service's answer breaking off mid-body breaks off the client's.
 */
export async function proxyRoute(call: ProxyCall): Promise<Response> {
  const { request, incoming, outgoing, matched, source } = call;
  const body = streamedBody(request, incoming, matched.route.maxBodyBytes);
  const url = new URL(request.url);
  let answer: Dispatcher.ResponseData;
  try {
    answer = await source.client.proxy({
      method: request.method,
      path: upstreamPathOf(matched.pathname, matched, matched.route) + url.search,
      headers: await upstreamRequestHeaders(call),
      body: body.stream,
      signal: request.signal,
      origin: request,
      ...(matched.route.timeout === undefined ? {} : { timeout: matched.route.timeout }),
    });
  } catch (error) {
    if (body.exceeded())
      return errorResponse(
        request,
        'PAYLOAD_TOO_LARGE',
        `The request body is larger than the limit of ${matched.route.maxBodyBytes} bytes of route ${matched.route.pattern.text} (maxBodyBytes).`,
        { connection: 'close' },
      );
    const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
    return errorResponse(
      request,
      isErrorCode(code) ? code : 'DOWNSTREAM_SERVICE_ERROR',
      isErrorCode(code) ? (error as Error).message : `Service "${source.name}" could not be reached.`,
    );
  }
  answer.body.once('error', () => outgoing?.destroy());
  const headers = new Headers(call.answerHeaders);
  for (const [name, value] of withoutHopByHop(responseEntries(answer.headers))) headers.append(name, value);
  headers.set('via', appendVia(headers.get('via'), '1.1'));
  const bodiless = request.method === 'HEAD' || answer.statusCode === 204 || answer.statusCode === 304;
  if (bodiless) answer.body.resume();
  return markProxied(new call.Response(bodiless ? null : (answer.body as unknown as BodyInit), { status: answer.statusCode, headers }));
}

/**
 * The client's headers as the service gets them: without hop-by-hop headers, the gateway's own
 * credentials and identity headers (a client cannot claim to be someone), with the forwarding
 * headers and the caller's identity for this service.
 */
async function upstreamRequestHeaders({ request, incoming, source, network, credentialHeaders }: ProxyCall): Promise<Record<string, string>> {
  const identity = upstreamIdentityOf(request);
  const dropped = new Set([...forwardingNames, ...answeredHere, ...credentialHeaders, ...(identity?.reserved ?? [])]);
  const headers: Record<string, string> = {};
  for (const [name, value] of withoutHopByHop(request.headers.entries())) if (!dropped.has(name)) headers[name] = value;
  const hop = {
    peer: incoming?.socket.remoteAddress ?? '',
    secure: Boolean((incoming?.socket as TLSSocket | undefined)?.encrypted) || new URL(request.url).protocol === 'https:',
    httpVersion: incoming?.httpVersion ?? '1.1',
    trustedProxies: network.trustedProxies,
  };
  return { ...headers, ...forwardingHeaders(request.headers, hop), ...(identity ? await identity.headersFor(source.name) : {}) };
}

function responseEntries(headers: Dispatcher.ResponseData['headers']): Array<[string, string]> {
  return Object.entries(headers).flatMap(([name, value]) =>
    Array.isArray(value) ? value.map((item) => [name, item] as [string, string]) : value === undefined ? [] : [[name, value] as [string, string]],
  );
}
