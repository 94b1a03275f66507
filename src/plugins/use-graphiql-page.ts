import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

/** Options of {@link useGraphiQLPage}. */
export interface GraphiQLPageOptions {
  /** The GraphQL endpoint; browsers asking it for HTML get the page. */
  endpoint: string;
  /**
   * Renders the whole page, assets inline (about 9 MB), with the headers editor's text. Called on
   * the first browser request only, and again when `headers` gives another text: the bundled
   * GraphiQL costs about 45 MB of memory once loaded, which a gateway nobody browses never pays.
   */
  render: (headers: string | undefined) => Promise<string>;
  /** The headers editor's text, or a function asked on every page load (a token minted for it). */
  headers?: string | (() => string | Promise<string>);
}

interface Page {
  html: string;
  etag: string;
  gzipped?: Blob;
}

/**
 * Serves GraphiQL to browsers (a GET whose Accept prefers HTML) from memory: rendered on the first
 * such request (and when its headers change), compressed once on the first that accepts gzip, with
 * an ETag so a reload costs a 304.
 */
export function useGraphiQLPage({ endpoint, render, headers }: GraphiQLPageOptions): Plugin {
  let cached: { text: string | undefined; page: Promise<Page> } | undefined;
  const load = async () => {
    const text = typeof headers === 'function' ? await headers() : headers;
    if (!cached || cached.text !== text) {
      const page = render(text).then((html): Page => ({ html, etag: `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"` }));
      const entry = { text, page };
      page.catch(() => cached === entry && (cached = undefined));
      cached = entry;
    }
    return cached.page;
  };
  return {
    // Synchronous for every other request: a promise here makes Yoga chain every later hook.
    onRequest({ request, url, endResponse }) {
      if (request.method !== 'GET' || url.pathname !== endpoint || !request.headers.get('accept')?.includes('text/html')) return;
      return serve(request, endResponse);
    },
  };

  async function serve(request: Request, endResponse: (response: Response) => void): Promise<void> {
    const loaded = await load();
    const headers = { 'content-type': 'text/html; charset=utf-8', etag: loaded.etag, 'cache-control': 'no-cache', vary: 'accept-encoding' };
    if (request.headers.get('if-none-match') === loaded.etag) return endResponse(new Response(null, { status: 304, headers }));
    const gzip = /\bgzip\b/.test(request.headers.get('accept-encoding') ?? '');
    endResponse(
      new Response(gzip ? (loaded.gzipped ??= new Blob([gzipSync(loaded.html)])) : loaded.html, {
        headers: gzip ? { ...headers, 'content-encoding': 'gzip' } : headers,
      }),
    );
  }
}
