import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../errors.ts';

/** The media types Yoga's result processors answer with. */
export const answeredMediaTypes = ['application/graphql-response+json', 'application/json', 'text/event-stream', 'multipart/mixed'];

/**
 * Refuses, before anything is executed, a request whose `Accept` header allows none of
 * {@link answeredMediaTypes}: Yoga would run the operation, upstream calls and all, and only then
 * find it cannot answer (406). The refusal leaves as 406 `NOT_ACCEPTABLE` (see useErrorCodes).
 */
export function useAcceptableMediaTypes(): Plugin {
  return {
    onParams({ request, setResult }) {
      const accept = request.headers.get('accept');
      if (accept === null || accept.trim() === '' || acceptsAny(accept)) return;
      setResult({ errors: [gatewayError('NOT_ACCEPTABLE', notAcceptableMessage(accept))] });
    },
  };
}

/** The message of a 406: the client's `Accept` and what the gateway answers with. */
export function notAcceptableMessage(accept: string): string {
  return `The Accept header ${JSON.stringify(accept)} allows none of the media types the gateway answers with: ${answeredMediaTypes.join(', ')}.`;
}

function acceptsAny(accept: string): boolean {
  return accept.split(',').some((range) => {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    if (parameters.some((parameter) => /^q=0(\.0*)?$/.test(parameter))) return false;
    const [major, minor] = type.split('/');
    return answeredMediaTypes.some((mediaType) => {
      const [answeredMajor, answeredMinor] = mediaType.split('/');
      return (major === '*' || major === answeredMajor) && (minor === '*' || minor === answeredMinor);
    });
  });
}
