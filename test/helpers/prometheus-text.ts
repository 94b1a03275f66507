import assert from 'node:assert/strict';

/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const labelValue = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const label = `[a-zA-Z_][a-zA-Z0-9_]*=${labelValue}`;
/**
 * A value as Go's ParseFloat reads it, which is what the format asks: NaN and Inf in any case
 * (prom-client writes `Nan`, as the format's own documentation long spelled it).
 */
const value = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[nN][aA][nN]|[+-]?[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)';
/** A sample line of the text format 0.0.4: name, optional labels, value, optional timestamp. */
const sampleLine = new RegExp(`^(${name})(?:\\{((?:${label})(?:,${label})*,?)?\\})? (${value})(?: -?\\d+)?$`);
const commentLine = new RegExp(`^# (?:HELP ${name} .*|TYPE ${name} (?:counter|gauge|histogram|summary|untyped))$|^#(?! HELP| TYPE).*$`);
const labelPair = new RegExp(`([a-zA-Z_][a-zA-Z0-9_]*)=(${labelValue})`, 'g');

/**
 * Parses a Prometheus text exposition, asserting that every line is a comment (`# HELP`,
 * `# TYPE`, other `#` lines), empty, or a sample matching the grammar.
 */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '' || line.startsWith('#')) {
      assert.match(line, new RegExp(`^$|${commentLine.source}`), `line ${index + 1} is a valid comment: ${line}`);
      continue;
    }
    const match = sampleLine.exec(line);
    assert.ok(match, `line ${index + 1} is a valid sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, quoted] of (match[2] ?? '').matchAll(labelPair)) labels[key!] = JSON.parse(quoted!) as string;
    const raw = match[3]!;
    const infinite = /inf/i.test(raw) ? (raw.startsWith('-') ? -Infinity : Infinity) : undefined;
    samples.push({ name: match[1]!, labels, value: infinite ?? (/nan/i.test(raw) ? NaN : Number(raw)) });
  }
  return samples;
}

/** The metric families an exposition declares (its `# TYPE` lines), samples or not. */
export function familiesOf(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!));
}

/** The samples called `name`. */
export function seriesOf(samples: readonly Sample[], name: string): Sample[] {
  return samples.filter((sample) => sample.name === name);
}

/** The value of the sample `name` whose labels include `labels`; `undefined` when there is none. */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return seriesOf(samples, name).find((sample) => Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))?.value;
}

/** Fetches and parses `url` (a metrics endpoint), asserting the Prometheus text content type. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Sample[]> {
  const response = await fetch(url, { headers });
  assert.equal(response.status, 200, `GET ${url}`);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}
