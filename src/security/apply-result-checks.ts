import type { ExecutionResult, GraphQLError } from 'graphql';
import { gatewayError } from '../errors.ts';
import type { PathStep, ResultCheck, Verdict } from './restrict-document.ts';

type Data = Record<string, unknown>;

/** A step of a concrete response path: a response key or a list index, and whether its value is non-null. */
interface Step {
  key: string | number;
  nonNull: boolean;
}

/** An object of the result and where it is. */
interface Position {
  object: Data;
  steps: Step[];
}

/**
 * Runs the checks left to the result, outer ones first, each on every object it reaches (of the
 * types it decides, when it names them), and puts each refusal in as `null` with its error at its
 * exact path (list indices included), errors in the document's order. Objects under a refused one
 * are not decided, as GraphQL never resolves below a null. Every decision is made on the answer as
 * it came; then each refusal is nulled, a non-null field's or list item's null propagating to the
 * nearest nullable ancestor, as in execution. The internal fields stay in place (the response
 * cache stores them, so that a cached answer is decided again); {@link withoutKeys} removes them.
 */
export async function applyResultChecks(result: ExecutionResult, checks: readonly ResultCheck[]): Promise<ExecutionResult> {
  if (!result.data || checks.length === 0) return result;
  const data = result.data as Data;
  const refusedBy = new Map<ResultCheck, Array<{ steps: Step[]; verdict: NonNullable<Verdict> }>>();
  const refusedPaths = new Set<string>();
  const isUnderRefused = (steps: readonly Step[]) => steps.some((_, index) => refusedPaths.has(pathKey(steps.slice(0, index + 1))));
  for (const check of [...checks].sort((a, b) => a.path.length - b.path.length)) {
    const targets = check.on === 'self' ? objectsAt(data, check.path) : fieldsAt(data, check.path);
    const open = targets.filter(({ object, steps }) => decides(check, object) && !isUnderRefused(steps));
    const verdicts = await Promise.all(open.map(({ object }) => check.decide(new Map([...check.keys].map(([field, key]) => [field, object[key]])))));
    const refused = open.flatMap(({ steps }, index) => {
      const verdict = verdicts[index];
      return verdict ? [{ steps, verdict }] : [];
    });
    refused.forEach(({ steps }) => refusedPaths.add(pathKey(steps)));
    refusedBy.set(check, refused);
  }
  const refused = checks.flatMap((check) => refusedBy.get(check) ?? []);
  if (refused.length === 0) return result;
  let root: Data | null = data;
  const errors: GraphQLError[] = [];
  for (const { steps, verdict } of refused) {
    if (root && nullAt(root, steps)) root = null;
    errors.push(gatewayError(verdict.code, verdict.message, { path: steps.map((step) => step.key), rejectsRequest: false }));
  }
  return { ...result, data: root, errors: [...(result.errors ?? []), ...errors] };
}

/** `value` without the given keys at any depth (changed in place). */
export function withoutKeys<T>(value: T, keys: ReadonlySet<string>): T {
  if (Array.isArray(value)) value.forEach((item) => withoutKeys(item, keys));
  else if (value !== null && typeof value === 'object') {
    for (const key of keys) delete (value as Data)[key];
    Object.values(value).forEach((item) => withoutKeys(item, keys));
  }
  return value;
}

/** Whether `check` decides `object`: every object at its path, or those of the types it filters on. */
function decides({ typenames }: ResultCheck, object: Data): boolean {
  if (!typenames) return true;
  const name = object[typenames.key];
  return typeof name === 'string' ? typenames.names.has(name) : typenames.decidesUnnamed;
}

const pathKey = (steps: readonly Step[]) => steps.map((step) => step.key).join('\u0000');

/** Every object at `path`, list items one by one. */
function objectsAt(root: Data, path: readonly PathStep[]): Position[] {
  let positions: Position[] = [{ object: root, steps: [] }];
  for (const step of path) {
    positions = positions.flatMap(({ object, steps }) => expand(object[step.key], [...steps, { key: step.key, nonNull: step.nonNull }], step.itemsNonNull));
  }
  return positions;
}

/** Every object holding the field at the end of `path`, with the field's own path. */
function fieldsAt(root: Data, path: readonly PathStep[]): Position[] {
  const field = path.at(-1);
  if (!field) return [];
  return objectsAt(root, path.slice(0, -1))
    .filter(({ object }) => field.key in object)
    .map(({ object, steps }) => ({ object, steps: [...steps, { key: field.key, nonNull: field.nonNull }] }));
}

function expand(value: unknown, steps: Step[], itemsNonNull: boolean): Position[] {
  if (Array.isArray(value)) return value.flatMap((item: unknown, index) => expand(item, [...steps, { key: index, nonNull: itemsNonNull }], itemsNonNull));
  return value !== null && typeof value === 'object' ? [{ object: value as Data, steps }] : [];
}

/** Sets the value at `steps` to null and propagates it; returns whether it reached the root. */
function nullAt(root: Data, steps: readonly Step[]): boolean {
  const containers: Array<Record<string | number, unknown>> = [root];
  for (const step of steps.slice(0, -1)) {
    const next = containers[containers.length - 1]?.[step.key];
    if (next === null || typeof next !== 'object') return false;
    containers.push(next as Record<string | number, unknown>);
  }
  for (let index = steps.length - 1; index >= 0; index -= 1) {
    const step = steps[index] as Step;
    (containers[index] as Record<string | number, unknown>)[step.key] = null;
    if (!step.nonNull) return false;
  }
  return true;
}
