import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'graphql';
import { isPlainObject, show } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';
import { canonicalId, isSha256Id, sha256Of } from './document-id.ts';

const apolloFormat = 'apollo-persisted-query-manifest';
const expectedFormats = `a map of document ids to documents, or {"format":"${apolloFormat}","version":1,"operations":[...]}`;

/** One document of a manifest, with the words a problem uses to point at it. */
interface ManifestEntry {
  label: string;
  id: string;
  body: unknown;
}

/**
 * Reads a persisted-documents manifest (`file` relative to the config file) into documents by
 * canonical id. Two formats: a plain map `{ "<id>": "<document>" }` (Relay, GraphQL Code
 * Generator's persisted documents) and Apollo's persisted query manifest. Every document must
 * parse, and an id that is a SHA-256 must be the SHA-256 of its document; each problem names the
 * file and the entry.
 */
export function readManifest(file: string, { check, baseDir }: FeatureContext, key = 'config.trustedDocuments.manifest'): Map<string, string> {
  const documents = new Map<string, string>();
  const where = `in ${JSON.stringify(file)}`;
  const absolute = path.resolve(baseDir, file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    check.fail(key, 'a readable JSON file', file, ` (${code === 'ENOENT' ? 'no such file' : code}: ${absolute})`);
    return documents;
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    check.problem(`${key}: ${JSON.stringify(file)} is not valid JSON: ${(error as Error).message}`);
    return documents;
  }
  const entries = entriesOf(manifest, where, (message) => check.problem(`${key}: ${message}`));
  for (const { label, id, body } of entries) {
    const problem = (message: string) => check.problem(`${key}: ${label} ${where}: ${message}`);
    if (typeof body !== 'string' || body.trim() === '') {
      problem(`expected a document (a non-empty string), got ${show(body)}`);
      continue;
    }
    const canonical = canonicalId(id);
    if (isSha256Id(canonical) && sha256Of(body) !== canonical) {
      problem(`the id is a SHA-256 but not the SHA-256 of the document, which is ${sha256Of(body)}`);
      continue;
    }
    try {
      parse(body);
    } catch (error) {
      problem(`the document does not parse: ${(error as Error).message}`);
      continue;
    }
    const known = documents.get(canonical);
    if (known !== undefined && known !== body) problem(`id ${JSON.stringify(id)} is already used by another document`);
    else documents.set(canonical, body);
  }
  return documents;
}

/** The manifest's entries; `problem` receives each mistake without the key, which it adds. */
function entriesOf(manifest: unknown, where: string, problem: (message: string) => void): ManifestEntry[] {
  if (!isPlainObject(manifest)) {
    problem(`expected ${expectedFormats}, got ${show(manifest)} ${where}`);
    return [];
  }
  if (!('format' in manifest)) return Object.entries(manifest).map(([id, body]) => ({ label: `entry ${JSON.stringify(id)}`, id, body }));
  if (manifest['format'] !== apolloFormat) {
    problem(`expected ${expectedFormats}, got format ${show(manifest['format'])} ${where}`);
    return [];
  }
  if (manifest['version'] !== 1) {
    problem(`expected version 1 of the ${apolloFormat} format, got ${show(manifest['version'])} ${where}`);
    return [];
  }
  const operations = manifest['operations'];
  if (!Array.isArray(operations)) {
    problem(`expected "operations" to be a list, got ${show(operations)} ${where}`);
    return [];
  }
  const entries: ManifestEntry[] = [];
  operations.forEach((operation: unknown, index) => {
    const id = isPlainObject(operation) ? operation['id'] : undefined;
    if (!isPlainObject(operation) || typeof id !== 'string' || id === '') {
      problem(`operations[${index}] ${where}: expected an object with a string "id" and "body", got ${show(operation)}`);
      return;
    }
    const name = typeof operation['name'] === 'string' ? ` (${operation['name']})` : '';
    entries.push({ label: `operations[${index}]${name}`, id, body: operation['body'] });
  });
  return entries;
}
