import type { Plugin } from 'graphql-yoga';
import { createApiKeyLookup } from '../auth/api-keys.ts';
import type { NormalizedAuthentication, NormalizedConsumer } from '../auth/authentication-config.ts';
import { setConsumer, type Consumer } from '../auth/consumer.ts';
import { createJwtVerifier, type JwtVerification, type VerifiedJwt } from '../auth/create-jwt-verifier.ts';
import type { Clock } from '../clock.ts';
import { isPromise } from '../maybe-promise.ts';
import { errorResponse } from '../server/error-response.ts';

/**
 * Verifies the request's credentials and records its {@link Consumer}: a bearer JWT
 * (`Authorization: Bearer`, else the configured cookie), an API key, both, or neither (anonymous,
 * unless `required` and not `optional` for the request, as a plain route may say). A credential that is presented but invalid ends the request with 401
 * `UNAUTHENTICATED` before any GraphQL work, whatever else the request carries.
 */
export function useAuthentication(
  options: NormalizedAuthentication,
  { optional = () => false, clock }: { optional?: (request: Request) => boolean; clock?: Clock } = {},
): Plugin {
  const { jwt, apiKeys, required } = options;
  const verifier = jwt && createJwtVerifier(jwt, clock ? { clock } : {});
  const findConsumer = apiKeys && createApiKeyLookup(apiKeys.consumers);
  const refuse = (request: Request, message: string, challenge = 'Bearer error="invalid_token"') =>
    errorResponse(request, 'UNAUTHENTICATED', message, { 'www-authenticate': challenge });

  return {
    // Synchronous for a token verified before (the verifier's cache): a promise here makes Yoga chain every later hook.
    onRequest({ request, endResponse }) {
      const token = jwt && bearerToken(request, jwt.cookie);
      const key = apiKeys && request.headers.get(apiKeys.header);
      if (token === undefined && (key === undefined || key === null)) {
        if (required && !optional(request)) endResponse(authenticationRequired(request));
        return;
      }
      let declared: NormalizedConsumer | undefined;
      if (typeof key === 'string' && findConsumer) {
        declared = findConsumer(key);
        if (!declared) return endResponse(refuse(request, 'The API key is not valid.'));
        if (declared.disabled) return endResponse(refuse(request, `The API key of consumer "${declared.name}" has been revoked.`));
      }
      const admit = (result: JwtVerification | undefined) => {
        if (result && !result.ok) return endResponse(refuse(request, result.message));
        const consumer = consumerFrom(result?.jwt, declared);
        if (consumer) setConsumer(request, consumer);
      };
      const result = token !== undefined && verifier ? verifier.verify(token) : undefined;
      return isPromise(result) ? result.then(admit) : admit(result);
    },
  };
}

/** 401 `UNAUTHENTICATED` to a request that sent no credential where one is required. */
export function authenticationRequired(request: Request): Response {
  return errorResponse(request, 'UNAUTHENTICATED', 'Authentication is required: send a bearer token or an API key.', { 'www-authenticate': 'Bearer' });
}

/**
 * A declared consumer's API key says which application calls and what it may ever do; a JWT says
 * which user calls and what that user delegated. With both, the consumer gets only the scopes both
 * grant, so neither credential can widen what the other allows (a leaked user token does not lift
 * a narrow application, nor an application key a narrow user token).
 */
function consumerFrom(jwt: VerifiedJwt | undefined, declared: NormalizedConsumer | undefined): Consumer | undefined {
  if (!declared) return jwt && { id: jwt.subject, via: 'jwt', scopes: jwt.scopes, claims: jwt.claims, introspection: false };
  const { name, plan, introspection, arbitraryDocuments, ipAllow, origins } = declared;
  return {
    id: name,
    via: jwt ? 'jwt+api-key' : 'api-key',
    name,
    scopes: jwt ? declared.scopes.filter((scope) => jwt.scopes.includes(scope)) : declared.scopes,
    ...(plan === undefined ? {} : { plan }),
    ...(jwt ? { claims: jwt.claims } : {}),
    introspection,
    ...(arbitraryDocuments === undefined ? {} : { arbitraryDocuments }),
    ...(ipAllow ? { ipAllow } : {}),
    ...(origins ? { origins } : {}),
  };
}

function bearerToken(request: Request, cookie: string | undefined): string | undefined {
  const match = /^Bearer(?:\s+(.*))?$/i.exec(request.headers.get('authorization') ?? '');
  if (match) return match[1]?.trim() ?? '';
  if (!cookie) return undefined;
  for (const pair of request.headers.get('cookie')?.split(';') ?? []) {
    const [name, ...value] = pair.split('=');
    if (name?.trim() === cookie) return value.join('=').trim();
  }
  return undefined;
}
