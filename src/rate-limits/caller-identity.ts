import { consumerOf } from '../auth/consumer.ts';
import { clientOf } from '../clients/client-of.ts';
import { clientAddressOf } from '../security/client-address.ts';

/**
 * The counter identity of a request: the consumer (an API key's consumer name, else the JWT's
 * subject, kept apart so a subject cannot collide with a consumer name), or the client address;
 * and its plan: the consumer's, else its client profile's `rateLimitPlan`, else `default` (`anonymous`).
 */
export function callerIdentity(request: Request): { key: string; plan: string } {
  const consumer = consumerOf(request);
  const clientPlan = clientOf(request)?.profile.rateLimitPlan;
  if (!consumer) return { key: `ip:${clientAddressOf(request)}`, plan: clientPlan ?? 'anonymous' };
  const kind = consumer.name !== undefined ? 'consumer' : 'subject';
  return { key: `${kind}:${consumer.id}`, plan: consumer.plan ?? clientPlan ?? 'default' };
}
