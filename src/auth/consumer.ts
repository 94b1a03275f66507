import type { BlockList } from 'node:net';
import { ObjectSlot } from '../object-slot.ts';

/**
 * Who is calling, as authentication established it. Anonymous callers have none.
 * Plugins read it with {@link consumerOf}; only the authentication plugin sets it.
 */
export interface Consumer {
  /** The declared consumer's name (API key), else the JWT's subject. */
  id: string;
  /** How the caller proved it. */
  via: 'jwt' | 'api-key' | 'jwt+api-key';
  /** The declared consumer's name when an API key identified one. */
  name?: string;
  /** Granted scopes. With both a JWT and an API key, the scopes both grant. */
  scopes: readonly string[];
  /** The declared consumer's plan (for rate limits). */
  plan?: string;
  /** The verified JWT claims, when a JWT was presented. */
  claims?: Readonly<Record<string, unknown>>;
  /** Whether this consumer may introspect the schema where introspection is otherwise off. */
  introspection: boolean;
  /** Whether this consumer may send documents that are not trusted (persisted); `undefined` follows the global setting. */
  arbitraryDocuments?: boolean;
  /** Address ranges this consumer may call from; `undefined` for anywhere. */
  ipAllow?: BlockList;
  /** Browser origins this consumer may call from; `undefined` for any the gateway allows. */
  origins?: readonly string[];
}

const consumers = new ObjectSlot<Request, Consumer>('consumer');

/** The consumer of a request, or `undefined` when it is anonymous. */
export function consumerOf(request: Request): Consumer | undefined {
  return consumers.get(request);
}

/** Records the consumer of a request (the authentication plugin's job). */
export function setConsumer(request: Request, consumer: Consumer): void {
  consumers.set(request, consumer);
}
