import type { NormalizedConfig } from '../config/normalize-config.ts';
import { isLoopbackHost } from '../security/network-config.ts';

/**
 * What a gateway listening beyond loopback exposes that its operator may not mean to, one line
 * each, printed at start-up: admin surfaces reachable without a key, and a gateway answering to
 * any `Host` (DNS rebinding), which also leaves same-origin pages to `network.origins` and
 * `network.publicUrl`.
 */
export function exposureWarnings({ host, network, metrics }: NormalizedConfig): string[] {
  if (isLoopbackHost(host)) return [];
  const warnings: string[] = [];
  const surfaces = [...(metrics.enabled ? ['/metrics'] : []), ...(metrics.statusPage.enabled ? ['the status page'] : [])].join(' and ');
  if (surfaces && !metrics.admin.key) {
    warnings.push(
      metrics.admin.loopbackOnly
        ? `${surfaces} answer loopback callers only: set admin.keyHash (or admin.ipAllow) to read them from elsewhere`
        : `${surfaces} answer the addresses of admin.ipAllow with no admin key: set admin.keyHash to ask them for one`,
    );
  }
  if (!network.allowedHosts) {
    warnings.push(
      `listening on ${host} with no network.allowedHosts: any Host header is answered, so set it (or network.publicUrl) to refuse DNS-rebinding pages; browser pages are same-origin only through network.origins or network.publicUrl`,
    );
  }
  return warnings;
}
