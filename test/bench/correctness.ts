/**
 * The checks made before anything is measured: each scenario answers 200 with data and no errors,
 * and the pairs that must agree (gateway vs hand-written, gateway vs users service) give deep-equal
 * JSON. A failure throws {@link CorrectnessError}, which makes the bench exit non-zero.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LoadTarget } from './load.ts';

export class CorrectnessError extends Error {
  override name = 'CorrectnessError';
}

/** One answer as received. */
export interface Answer {
  status: number;
  text: string;
  json: unknown;
}

/** Sends the target's request once. */
export async function fetchAnswer(target: LoadTarget): Promise<Answer> {
  const response = await fetch(target.url, { method: target.method, headers: target.headers, body: target.body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** Throws unless the answer is a 200 JSON `{"data":{"user":{...}}}` without errors. */
export function expectUserData(scenario: string, answer: Answer): void {
  const body = answer.json as { data?: { user?: unknown }; errors?: unknown[] } | undefined;
  const problem =
    answer.status !== 200
      ? `status ${answer.status}`
      : body === undefined
        ? 'a body that is not JSON'
        : body.errors
          ? `errors ${JSON.stringify(body.errors).slice(0, 300)}`
          : typeof body.data?.user !== 'object' || body.data.user === null
            ? 'no data.user'
            : undefined;
  if (problem) throw new CorrectnessError(`${scenario}: expected 200 with data.user and no errors, got ${problem}: ${answer.text.slice(0, 300)}`);
}

/** Throws unless both answers' JSON is deep-equal, naming the first difference. */
export function expectSameJson(expected: { name: string; answer: Answer }, actual: { name: string; answer: Answer }): void {
  if (isDeepStrictEqual(expected.answer.json, actual.answer.json)) return;
  const where = firstDifference(expected.answer.json, actual.answer.json, '$') ?? { path: '$', expected: expected.answer.json, actual: actual.answer.json };
  throw new CorrectnessError(
    `"${actual.name}" answers differently from "${expected.name}" at ${where.path}:\n` +
      `  ${expected.name}: ${show(where.expected)}\n  ${actual.name}: ${show(where.actual)}`,
  );
}

interface Difference {
  path: string;
  expected: unknown;
  actual: unknown;
}

function firstDifference(expected: unknown, actual: unknown, path: string): Difference | undefined {
  if (isDeepStrictEqual(expected, actual)) return undefined;
  if (typeof expected !== 'object' || typeof actual !== 'object' || expected === null || actual === null || Array.isArray(expected) !== Array.isArray(actual)) {
    return { path, expected, actual };
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return { path: `${path}.length`, expected: expected.length, actual: actual.length };
    for (let index = 0; index < expected.length; index++) {
      const found = firstDifference(expected[index], actual[index], `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  const left = expected as Record<string, unknown>;
  const right = actual as Record<string, unknown>;
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
    const found = firstDifference(left[key], right[key], `${path}.${key}`);
    if (found) return found;
  }
  return { path, expected, actual };
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined (missing)';
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
