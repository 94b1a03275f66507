import ms from 'ms';

/** Collects config problems; each method returns the value when valid, else a placeholder after recording the problem. */
export type Checker = ReturnType<typeof createChecker>;

/** Checks values of a config against what is expected, recording `key: expected ..., got ...` problems. */
export function createChecker(problems: string[]) {
  const fail = (key: string, expected: string, value: unknown, note = '') => {
    problems.push(`${key}: expected ${expected}, got ${show(value)}${note}`);
  };
  return {
    fail,
    /** Records a problem in its own words. */
    problem(message: string) {
      problems.push(message);
    },
    knownKeys(key: string, value: Record<string, unknown>, known: string[]) {
      for (const name of Object.keys(value)) {
        if (!known.includes(name)) problems.push(`${key}.${name}: unknown option; expected one of ${known.join(', ')}`);
      }
    },
    string(key: string, value: unknown): string {
      if (typeof value === 'string' && value.length > 0) return value;
      fail(key, 'a non-empty string', value);
      return '';
    },
    path(key: string, value: unknown): string {
      if (typeof value === 'string' && /^\/[^\s?#]*$/.test(value)) return value;
      fail(key, 'a path starting with "/"', value);
      return '/';
    },
    boolean(key: string, value: unknown): boolean {
      if (typeof value === 'boolean') return value;
      fail(key, 'true or false', value);
      return false;
    },
    integer(key: string, value: unknown, min: number, max: number, note = ''): number {
      if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
      fail(key, `an integer from ${min} to ${max}`, value, note);
      return min;
    },
    /** A duration in `ms` syntax ('500ms', '10s', '1m') or a number of milliseconds, from `min` to `max` ms. */
    duration(key: string, value: unknown, min: number, max: number): number {
      const parsed = typeof value === 'number' ? value : typeof value === 'string' ? ms(value as ms.StringValue) : Number.NaN;
      if (typeof parsed === 'number' && Number.isFinite(parsed) && parsed >= min && parsed <= max) return Math.round(parsed);
      fail(key, `a duration such as "500ms" or "10s", or a number of milliseconds, from ${min} to ${max} ms`, value);
      return min;
    },
    oneOf<const T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
      if (allowed.includes(value as T)) return value as T;
      fail(key, `one of ${allowed.map((item) => `"${item}"`).join(', ')}`, value);
      return allowed[0] as T;
    },
    url(key: string, value: unknown): string {
      if (typeof value === 'string' && /^https?:\/\//.test(value) && URL.canParse(value)) return value.replace(/\/+$/, '');
      fail(key, 'an http:// or https:// URL', value);
      return 'http://invalid';
    },
    stringList(key: string, value: unknown): string[] {
      if (Array.isArray(value) && value.every((item) => typeof item === 'string' && item.length > 0)) return value as string[];
      fail(key, 'a list of non-empty strings', value);
      return [];
    },
    stringRecord(key: string, value: unknown): Record<string, string> {
      if (isPlainObject(value) && Object.values(value).every((item) => typeof item === 'string')) return value as Record<string, string>;
      fail(key, 'an object of string values', value);
      return {};
    },
  };
}

/** Whether `value` is a non-null, non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A config value as problems show it. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}
