import type { Plugin } from 'graphql-yoga';
import { SignJWT } from 'jose';
import { consumerOf, type Consumer } from '../auth/consumer.ts';
import { importSigningKey } from '../security/import-signing-key.ts';
import type { NormalizedIdentity } from '../security/identity-config.ts';
import { setUpstreamIdentity } from '../transport/upstream-headers.ts';

/**
 * Tells upstream services who the caller is: headers from the verified identity, and optionally a
 * short-lived JWT the gateway signs per service (`aud` is the service's name). Client-sent copies of
 * those headers are never passed on, so a client cannot claim to be someone else; the client's own
 * `Authorization` header is passed on only with `forwardClientToken`.
 */
export async function useIdentityForwarding(identity: NormalizedIdentity): Promise<Plugin> {
  const { signedToken } = identity;
  const key = signedToken ? await importSigningKey(signedToken.key, signedToken.algorithm) : undefined;
  const reserved = new Set([...identity.reservedHeaders, ...(identity.forwardClientToken ? [] : ['authorization'])]);
  return {
    onRequest({ request }) {
      const consumer = consumerOf(request);
      const fixed = consumer ? identityHeaders(consumer, identity.headers) : {};
      const clientToken = identity.forwardClientToken ? request.headers.get('authorization') : null;
      if (clientToken) fixed['authorization'] = clientToken;
      // Each service's token: signing once per request and service, then the signed text itself.
      const tokens = new Map<string, Promise<string> | string>();
      setUpstreamIdentity(request, {
        reserved,
        headersFor(service) {
          if (!signedToken || !key || !consumer) return fixed;
          let token = tokens.get(service);
          if (token === undefined) {
            const signing = new SignJWT({ scope: consumer.scopes.join(' '), ...(consumer.plan ? { plan: consumer.plan } : {}), via: consumer.via })
              .setProtectedHeader({ alg: signedToken.algorithm, typ: 'JWT' })
              .setSubject(consumer.id)
              .setIssuer(signedToken.issuer)
              .setAudience(service)
              .setIssuedAt()
              .setExpirationTime(`${signedToken.ttl}s`)
              .sign(key);
            token = signing.then((text) => {
              tokens.set(service, text);
              return text;
            });
            tokens.set(service, token);
          }
          const header = signedToken.header;
          return typeof token === 'string' ? { ...fixed, [header]: token } : token.then((text) => ({ ...fixed, [header]: text }));
        },
      });
    },
  };
}

function identityHeaders(consumer: Consumer, headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, source] of Object.entries(headers)) {
    const value =
      source === 'consumer' ? consumer.id : source === 'scopes' ? consumer.scopes : source === 'plan' ? consumer.plan : readClaim(consumer.claims, source);
    if (value === undefined || value === null) continue;
    result[name] = Array.isArray(value) ? value.join(' ') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return result;
}

function readClaim(claims: Readonly<Record<string, unknown>> | undefined, path: string): unknown {
  let current: unknown = claims;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
