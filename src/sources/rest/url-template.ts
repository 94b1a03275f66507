import { gatewayError } from '../../errors.ts';

/** A `{args.name}` or `{parent.field}` reference in an `@http` template. */
export interface Placeholder {
  /** As written between the braces, e.g. `args.id`. */
  text: string;
  from: 'args' | 'parent';
  /** Property path below `args` or `parent`. */
  path: string[];
}

/** The values a template is filled from. */
export interface TemplateValues {
  args: Record<string, unknown>;
  parent: unknown;
}

/** A parsed `@http` path template, query string included. */
export interface UrlTemplate {
  text: string;
  placeholders: Placeholder[];
  /**
   * The path and query string for these values, or `null` when a placeholder in the path is empty
   * (there is nothing to fetch). `overrides` replace placeholders' values by their text.
   */
  fill(values: TemplateValues, overrides?: ReadonlyMap<string, unknown>): string | null;
}

type Part = { literal: string } | { placeholder: Placeholder };

const placeholderPattern = /\{([^{}]*)\}/g;

/** Stands for the batched keys in a loader's grouping key. */
export const batchMark = Symbol('batch keys');

/** Parses a template such as `/users/{parent.id}/orders?limit={args.first}&sort=new`. */
export function parseUrlTemplate(text: string): UrlTemplate {
  const [pathText = '', queryText] = splitOnce(text, '?');
  const placeholders: Placeholder[] = [];
  const parse = (chunk: string): Part[] => {
    const parts: Part[] = [];
    let last = 0;
    for (const match of chunk.matchAll(placeholderPattern)) {
      if (match.index > last) parts.push({ literal: chunk.slice(last, match.index) });
      const placeholder = parsePlaceholder(match[1] ?? '', text);
      placeholders.push(placeholder);
      parts.push({ placeholder });
      last = match.index + match[0].length;
    }
    if (last < chunk.length) parts.push({ literal: chunk.slice(last) });
    return parts;
  };
  const pathParts = parse(pathText);
  const queryParams = (queryText ?? '')
    .split('&')
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const [name = '', value = ''] = splitOnce(pair, '=');
      return { name, parts: parse(value) };
    });

  return {
    text,
    placeholders,
    fill(values, overrides) {
      const read = (placeholder: Placeholder) =>
        overrides?.has(placeholder.text)
          ? overrides.get(placeholder.text)
          : readPath(placeholder.from === 'args' ? values.args : values.parent, placeholder.path);
      let path = '';
      for (const part of pathParts) {
        if ('literal' in part) {
          path += part.literal;
          continue;
        }
        const value = read(part.placeholder);
        if (value === null || value === undefined) return null;
        refuseRouteChange(value, part.placeholder, text);
        path += encodeValue(value);
      }
      const query: string[] = [];
      for (const { name, parts } of queryParams) {
        let value = '';
        let empty = false;
        for (const part of parts) {
          if ('literal' in part) {
            value += part.literal;
            continue;
          }
          const found = read(part.placeholder);
          if (found === null || found === undefined) empty = true;
          else value += encodeValue(found);
        }
        if (!empty) query.push(`${name}=${value}`);
      }
      return query.length > 0 ? `${path}?${query.join('&')}` : path;
    },
  };
}

/**
 * Refuses a path value that could make the service route the call elsewhere: empty (`/orders/`
 * is the collection, not an order) or holding a `.` or `..` segment, before or after any number
 * of percent-decodings (URL parsers resolve `..` and `%2e%2e` alike; some services decode `%2F`
 * before routing). The error is the caller's: `BAD_USER_INPUT`, and nothing is sent.
 */
function refuseRouteChange(value: unknown, placeholder: Placeholder, template: string): void {
  if (value === batchMark) return;
  if (Array.isArray(value)) return value.forEach((item) => refuseRouteChange(item, placeholder, template));
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const problem =
    text === ''
      ? 'is empty'
      : decodings(text).some((decoded) => decoded.split(/[/\\]/).some((segment) => segment === '.' || segment === '..'))
        ? 'would be a "." or ".." path segment'
        : undefined;
  if (problem) {
    throw gatewayError(
      'BAD_USER_INPUT',
      `The value ${JSON.stringify(text)} of {${placeholder.text}} ${problem}, which would change the path of "${template}".`,
      { rejectsRequest: false },
    );
  }
}

/** `text` and each of its successive percent-decodings, until one no longer changes or fails. */
function decodings(text: string): string[] {
  const forms = [text];
  for (let current = text; forms.length < 8; ) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      break;
    }
    if (next === current) break;
    forms.push((current = next));
  }
  return forms;
}

/** Reads a dotted property path; `undefined` where it breaks off. */
export function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function parsePlaceholder(inner: string, template: string): Placeholder {
  const [from, ...path] = inner.trim().split('.');
  if ((from !== 'args' && from !== 'parent') || path.length === 0 || path.some((key) => key.length === 0)) {
    throw new TypeError(`placeholder "{${inner}}" in "${template}" must read {args.<argument>} or {parent.<field>}`);
  }
  return { text: inner.trim(), from, path };
}

function encodeValue(value: unknown): string {
  if (value === batchMark) return '{}';
  if (Array.isArray(value)) return value.map(encodeValue).join(',');
  if (typeof value === 'object' && value !== null) return encodeURIComponent(JSON.stringify(value));
  return encodeURIComponent(String(value));
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const index = text.indexOf(separator);
  return index === -1 ? [text, undefined] : [text.slice(0, index), text.slice(index + 1)];
}
