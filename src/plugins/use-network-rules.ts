import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { consumerOf } from '../auth/consumer.ts';
import { inRanges } from '../security/address-ranges.ts';
import { clientAddressOf, resolveClientAddress, setClientAddress } from '../security/client-address.ts';
import type { NormalizedNetwork } from '../security/network-config.ts';
import { originAllowed } from '../security/origins.ts';
import { errorResponse } from '../server/error-response.ts';

const simpleContentTypes = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * The gateway-wide network rules, before any credential is looked at: the client address
 * (believing forwarding headers only from trusted proxies), the address deny and allow lists, the
 * browser origin allowlist, and CSRF prevention. Each refusal is 403 `FORBIDDEN`.
 */
export function useNetworkRules(network: NormalizedNetwork): Plugin<Record<string, unknown>, { req?: IncomingMessage }> {
  return {
    onRequest({ request, url, serverContext, endResponse }) {
      const address = resolveClientAddress(request, serverContext.req, network.trustedProxies);
      setClientAddress(request, address);
      if ((network.ipDeny && inRanges(network.ipDeny, address)) || (network.ipAllow && !inRanges(network.ipAllow, address))) {
        return endResponse(errorResponse(request, 'FORBIDDEN', 'Requests from this address are not allowed.'));
      }
      const origin = request.headers.get('origin');
      if (origin && origin !== url.origin && !originAllowed(network.origins, origin)) {
        return endResponse(errorResponse(request, 'FORBIDDEN', `Origin ${origin} is not allowed.`));
      }
      if (network.csrfPrevention && looksLikeCrossSiteForgery(request)) {
        return endResponse(errorResponse(request, 'FORBIDDEN', 'This request carries cookies without a JSON body or an x-concierge-csrf header, so it could be a cross-site request forgery.'));
      }
    },
  };
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
  if (!request.headers.has('cookie') || request.headers.has('x-concierge-csrf') || request.method === 'OPTIONS') return false;
  if (request.method === 'GET' || request.method === 'HEAD') return !request.headers.get('accept')?.includes('text/html');
  const contentType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  return contentType === '' || simpleContentTypes.includes(contentType);
}
