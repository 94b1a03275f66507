import type { Plugin } from 'graphql-yoga';
import type { NormalizedTls } from '../tls/tls-config.ts';

/** HSTS on HTTPS responses. STUB: replaced by the TLS work. */
export function useTransportSecurity(_tls: NormalizedTls | undefined): Plugin {
  return {};
}
