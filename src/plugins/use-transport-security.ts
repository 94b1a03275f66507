import type { Plugin } from 'graphql-yoga';
import { errorResponse } from '../server/error-response.ts';
import type { NormalizedTls } from '../tls/tls-config.ts';

/**
 * What the plain-HTTP listener tells the gateway about the request (Yoga's server context). A type
 * rather than an interface, so that it is assignable to Yoga's `Record<string, unknown>` context.
 */
export type TransportContext = {
  /** Port of the HTTPS listener, so that redirects and refusals can name the HTTPS URL. */
  httpsPort?: number;
};

/**
 * The HTTPS policy. Requests that arrived over plain HTTP (the `tls.http` listener) are redirected
 * with 308 or refused with 403 `FORBIDDEN`, or served in `allow` mode; probes answer before this
 * plugin runs, so they work on either listener. Every HTTPS response, refusals included, carries
 * `Strict-Transport-Security`; plain-HTTP responses never do (RFC 6797: only a header received
 * over a secure connection counts). The redirect keeps the host the client asked for and names the
 * HTTPS listener's port.
 */
export function useTransportSecurity(tls: NormalizedTls | undefined): Plugin<Record<string, unknown>, TransportContext> {
  if (!tls) return {};
  const { hsts, http } = tls;
  const hstsHeader =
    hsts && [`max-age=${hsts.maxAge}`, ...(hsts.includeSubDomains ? ['includeSubDomains'] : []), ...(hsts.preload ? ['preload'] : [])].join('; ');
  return {
    onRequest({ request, url, serverContext, endResponse }) {
      if (url.protocol === 'https:' || !http || http.mode === 'allow') return;
      const target = new URL(url);
      target.protocol = 'https:';
      if (serverContext.httpsPort !== undefined) target.port = String(serverContext.httpsPort);
      if (http.mode === 'redirect') return endResponse(new Response(null, { status: 308, headers: { location: target.href } }));
      endResponse(errorResponse(request, 'FORBIDDEN', `This gateway answers over HTTPS only: use ${target.origin}${target.pathname}`));
    },
    onResponse({ request, response }) {
      if (hstsHeader && request.url.startsWith('https:')) response.headers.set('strict-transport-security', hstsHeader);
    },
  };
}
