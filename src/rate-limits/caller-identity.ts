import { consumerOf } from '../auth/consumer.ts';
import { clientAddressOf } from '../security/client-address.ts';

/**
 * The counter identity of a request: the consumer (an API key's consumer name, else the JWT's
 * subject, kept apart so a subject cannot collide with a consumer name), or the client address.
 */
export function callerIdentity(request: Request): { key: string; plan: string } {
  const consumer = consumerOf(request);
  if (!consumer) return { key: `ip:${clientAddressOf(request)}`, plan: 'anonymous' };
  const kind = consumer.name !== undefined ? 'consumer' : 'subject';
  return { key: `${kind}:${consumer.id}`, plan: consumer.plan ?? 'default' };
}
