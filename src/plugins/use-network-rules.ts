import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { consumerOf } from '../auth/consumer.ts';
import { gatewayError } from '../errors.ts';
import { inRanges } from '../security/address-ranges.ts';
import { hostAllowed, hostNameOf } from '../security/allowed-hosts.ts';
import { clientAddressOf, resolveClientAddress, setClientAddress } from '../security/client-address.ts';
import type { NormalizedNetwork } from '../security/network-config.ts';
import { originAllowed } from '../security/origins.ts';
import { errorResponse } from '../server/error-response.ts';

const simpleContentTypes = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** Headers a page on another site cannot add to a request without a CORS preflight. */
const preflightHeaders = ['x-concierge-csrf', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-graphql-yoga-csrf'];

const csrfMessage =
  'This request carries cookies without a JSON body or an x-concierge-csrf header (apollo-require-preflight also works), so it could be a cross-site request forgery.';

/**
 * The gateway-wide network rules, before any credential is looked at and on every path but the
 * probes: the `Host` (421 `MISDIRECTED_REQUEST` outside `allowedHosts`), the client address
 * (believing forwarding headers only from trusted proxies) against the deny and allow lists, the
 * browser origin, and CSRF prevention; those are 403 `FORBIDDEN`.
 *
 * A page's origin is allowed when it is listed, is `publicUrl`'s, or names the very host the
 * request was sent to; the last only while `allowedHosts` vouches for that host, since a client
 * chooses its `Host` header and DNS rebinding makes a browser send the attacker's.
 */
export function useNetworkRules(network: NormalizedNetwork): Plugin<Record<string, unknown>, { req?: IncomingMessage }> {
  return {
    onRequest({ request, serverContext, endResponse }) {
      const refusal = networkRefusal(network, request, serverContext.req);
      if (refusal) endResponse(refusal);
    },
    // A cross-site GET (a link, an image) carries cookies too. Only executing an operation needs
    // the header, so a browser's navigation to the endpoint still gets GraphiQL.
    onParams({ request, setResult }) {
      if (network.csrfPrevention && (request.method === 'GET' || request.method === 'HEAD') && looksLikeCrossSiteForgery(request)) {
        setResult({ errors: [gatewayError('FORBIDDEN', csrfMessage)] });
      }
    },
  };
}

/**
 * The refusal of {@link useNetworkRules}' request-time rules for a request that arrived on
 * `socketRequest`, or `undefined` to let it through; records the client address as a side effect.
 * Also guards listeners outside Yoga (the metrics port).
 */
export function networkRefusal(network: NormalizedNetwork, request: Request, socketRequest: IncomingMessage | undefined): Response | undefined {
  const host = request.headers.get('host');
  if (network.allowedHosts && !hostAllowed(network.allowedHosts, hostNameOf(host))) {
    return errorResponse(
      request,
      'MISDIRECTED_REQUEST',
      `This gateway does not answer to the host ${JSON.stringify(host ?? '')}: add it to network.allowedHosts.`,
    );
  }
  const address = resolveClientAddress(request, socketRequest, network.trustedProxies);
  setClientAddress(request, address);
  if ((network.ipDeny && inRanges(network.ipDeny, address)) || (network.ipAllow && !inRanges(network.ipAllow, address))) {
    return errorResponse(request, 'FORBIDDEN', 'Requests from this address are not allowed.');
  }
  const origin = request.headers.get('origin');
  if (origin && !originAllowed(network.origins, origin) && origin.toLowerCase() !== network.publicOrigin && !(network.allowedHosts && sameHost(origin, host))) {
    return errorResponse(request, 'FORBIDDEN', `Origin ${origin} is not allowed: add it to network.origins.`);
  }
  if (network.csrfPrevention && request.method !== 'GET' && request.method !== 'HEAD' && looksLikeCrossSiteForgery(request)) {
    return errorResponse(request, 'FORBIDDEN', csrfMessage);
  }
  return undefined;
}

/** A consumer's own address and origin restrictions, once authentication has named the consumer. */
export function useConsumerNetworkRules(): Plugin {
  return {
    onRequest({ request, endResponse }) {
      const consumer = consumerOf(request);
      if (!consumer) return;
      if (consumer.ipAllow && !inRanges(consumer.ipAllow, clientAddressOf(request))) {
        return endResponse(errorResponse(request, 'FORBIDDEN', `Consumer "${consumer.id}" may not call from this address.`));
      }
      const origin = request.headers.get('origin');
      if (origin && consumer.origins && !originAllowed(consumer.origins, origin)) {
        return endResponse(errorResponse(request, 'FORBIDDEN', `Consumer "${consumer.id}" may not call from origin ${origin}.`));
      }
    },
  };
}

function looksLikeCrossSiteForgery(request: Request): boolean {
  if (!request.headers.has('cookie') || preflightHeaders.some((name) => request.headers.has(name)) || request.method === 'OPTIONS') return false;
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  const contentType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  return contentType === '' || simpleContentTypes.includes(contentType);
}

/** Whether the origin's host and port are the request's `Host`: the scheme may differ behind a TLS-terminating proxy. */
function sameHost(origin: string, host: string | null): boolean {
  if (!host || !URL.canParse(origin)) return false;
  const { protocol, host: originHost } = new URL(origin);
  return URL.canParse(`${protocol}//${host}`) && new URL(`${protocol}//${host}`).host === originHost;
}
