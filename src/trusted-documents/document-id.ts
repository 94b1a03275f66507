import { createHash } from 'node:crypto';

const sha256Hex = /^(?:sha256:)?([0-9a-fA-F]{64})$/;

/** The hex SHA-256 of a document's text (UTF-8), as APQ clients and persisted-document tools compute it. */
export function sha256Of(document: string): string {
  return createHash('sha256').update(document).digest('hex');
}

/**
 * A document id in its one canonical form: a SHA-256, bare or with the `sha256:` prefix of the
 * GraphQL-over-HTTP persisted documents proposal, becomes 64 lower-case hex digits; any other id
 * (Relay's MD5, a name) is kept as it is.
 */
export function canonicalId(id: string): string {
  const match = sha256Hex.exec(id);
  return match?.[1] ? match[1].toLowerCase() : id;
}

/** Whether a canonical id is a SHA-256, so that a document sent with it can be checked against it. */
export function isSha256Id(id: string): boolean {
  return id.length === 64 && sha256Hex.test(id);
}
