import type { Plugin } from 'graphql-yoga';
import { isProxiedResponse } from '../routes/route-request.ts';
import { errorResponse } from '../server/error-response.ts';
import { notAcceptableMessage } from './use-acceptable-media-types.ts';
import { codeByStatus } from './use-error-codes.ts';

/**
 * Gives the refusals Yoga answers with a status and no body (406, 415, 404 off the endpoint) a
 * GraphQL-over-HTTP error body with the code of the status and the request id, keeping their
 * headers. Placed first in the plugin list, since response hooks run in list order: the access
 * log and the metrics then see the coded answer.
 */
export function useCodedRefusals(): Plugin {
  return {
    onResponse({ request, response, setResponse }) {
      if (response.status < 400 || response.body !== null || isProxiedResponse(response)) return;
      const code = codeByStatus.get(response.status) ?? (response.status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR');
      setResponse(errorResponse(request, code, refusalMessage(request, response.status), Object.fromEntries(response.headers)));
    },
  };
}

function refusalMessage(request: Request, status: number): string {
  switch (status) {
    case 404:
      return `Nothing is served at ${new URL(request.url).pathname}.`;
    case 406:
      return notAcceptableMessage(request.headers.get('accept') ?? '');
    case 415:
      return `The Content-Type ${JSON.stringify(request.headers.get('content-type') ?? '')} is not one the gateway reads: send the operation as application/json.`;
    default:
      return `The request was refused with HTTP ${status}.`;
  }
}
