import { print } from 'graphql';
import { sha256Of } from '../trusted-documents/document-id.ts';
import type { QueryPlan } from './create-query-planner.ts';
import type { Fetch } from './fetch.ts';

/**
 * A plan as text, in the shape Apollo's and Hive's query-plan output takes: `Fetch` nodes (the
 * service and the document it is sent), `Flatten` for an entity call (the answer path it completes,
 * `@` for every item of a list), `Sequence` where a call waits for another and `Parallel` where
 * calls run together (`shares` marks a root call that fills fields of another's root field). A
 * mutation's root calls are a `Sequence`.
 */
export function printPlan({ fetches, serial }: Pick<QueryPlan, 'fetches' | 'serial'>): string {
  return `QueryPlan {\n${indent(group(serial ? 'Sequence' : 'Parallel', fetches.map(printFetch)))}\n}`;
}

/** A plan's id from its printed form: the first 16 hex digits of its SHA-256 (see {@link QueryPlan.id}). */
export function planIdOf(printed: string): string {
  return sha256Of(printed).slice(0, 16);
}

function printFetch(fetch: Fetch): string {
  const waits = fetch.after?.length ? `, after: [${fetch.after.map((other) => JSON.stringify(other.graph)).join(', ')}]` : '';
  const shares = fetch.shares
    ? `, shares: [${Object.entries(fetch.shares)
        .map(([key, { primary }]) => `${JSON.stringify(key)} with ${JSON.stringify(primary.graph)}`)
        .join(', ')}]`
    : '';
  const node = `Fetch(service: ${JSON.stringify(fetch.graph)}${waits}${shares}) {\n${indent(print(fetch.document))}\n}`;
  // A `|Type` step prints as Apollo prints it: `review|[UserReview].product`.
  const path = fetch.entity?.path.join('.').replace(/\.\|([^.]+)/g, '|[$1]');
  const call = fetch.entity ? `Flatten(path: ${JSON.stringify(path)}) {\n${indent(node)}\n}` : node;
  if (fetch.children.length === 0) return call;
  return `Sequence {\n${indent(`${call},\n${group('Parallel', fetch.children.map(printFetch))}`)}\n}`;
}

function group(kind: 'Parallel' | 'Sequence', nodes: string[]): string {
  return nodes.length === 1 ? (nodes[0] as string) : `${kind} {\n${indent(nodes.join(',\n'))}\n}`;
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}
