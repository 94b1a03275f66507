import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

/** Options of {@link useGraphiQLPage}. */
export interface GraphiQLPageOptions {
  /** The GraphQL endpoint; browsers asking it for HTML get the page. */
  endpoint: string;
  /** The whole page, assets inline (about 9 MB). */
  html: string;
}

/**
 * Serves GraphiQL to browsers (a GET whose Accept prefers HTML) from memory: compressed once, on
 * the first request that accepts gzip, with an ETag so a reload costs a 304.
 */
export function useGraphiQLPage({ endpoint, html }: GraphiQLPageOptions): Plugin {
  let gzipped: Blob | undefined;
  const etag = `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"`;
  const headers = { 'content-type': 'text/html; charset=utf-8', etag, 'cache-control': 'no-cache', vary: 'accept-encoding' };
  return {
    onRequest({ request, url, endResponse }) {
      if (request.method !== 'GET' || url.pathname !== endpoint || !request.headers.get('accept')?.includes('text/html')) return;
      if (request.headers.get('if-none-match') === etag) return endResponse(new Response(null, { status: 304, headers }));
      const gzip = /\bgzip\b/.test(request.headers.get('accept-encoding') ?? '');
      endResponse(new Response(gzip ? (gzipped ??= new Blob([gzipSync(html)])) : html, { headers: gzip ? { ...headers, 'content-encoding': 'gzip' } : headers }));
    },
  };
}
