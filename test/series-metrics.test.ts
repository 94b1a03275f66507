import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from '../src/observability/series-metrics.ts';

// The fast path must be invisible: the same observations, made through prom-client's own
// Counter and Histogram in one registry and through the series classes in another, give the same
// exposition text and the same JSON, byte for byte.

const buckets = [0.001, 0.01, 0.1, 1, 10];
const services = ['users', 'orders', 'a "quoted" \\ service'];
const instances = ['http://10.0.0.1:4001', 'http://10.0.0.2:4001'];
const outcomes = ['2xx', '5xx', 'timeout'];
const versions = [undefined, 'v1', 'canary'];

/** A seeded sequence, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function pick<T>(next: () => number, values: readonly T[]): T {
  return values[Math.floor(next() * values.length)] as T;
}

function metricsIn(registry: Registry, fast: boolean) {
  const counterOptions = { name: 'calls_total', help: 'Calls.', labelNames: ['service', 'instance', 'outcome', 'version'] as const, registers: [registry] };
  const histogramOptions = {
    name: 'call_seconds',
    help: 'Durations.',
    labelNames: ['service', 'instance', 'version'] as const,
    buckets,
    registers: [registry],
  };
  return fast
    ? { counter: new SeriesCounter(counterOptions), histogram: new SeriesHistogram(histogramOptions) }
    : { counter: new Counter(counterOptions), histogram: new Histogram(histogramOptions) };
}

test('SeriesCounter and SeriesHistogram expose exactly what prom-client does for the same observations', async () => {
  const seed = 20261207;
  const next = random(seed);
  const reference = new Registry();
  const fast = new Registry();
  const plain = metricsIn(reference, false);
  const series = metricsIn(fast, true) as { counter: SeriesCounter<string>; histogram: SeriesHistogram<string> };
  const scrape = async () => {
    assert.equal(await fast.metrics(), await reference.metrics(), `exposition differs (seed ${seed})`);
    assert.deepEqual(await fast.getMetricsAsJSON(), await reference.getMetricsAsJSON(), `JSON differs (seed ${seed})`);
  };
  for (let round = 0; round < 3; round++) {
    for (let call = 0; call < 500; call++) {
      const [service, instance, outcome, version] = [pick(next, services), pick(next, instances), pick(next, outcomes), pick(next, versions)];
      // Bounds themselves, values between them, and values past the last one.
      const seconds = next() < 0.2 ? pick(next, buckets) : next() * 20;
      // Labels in `labelNames` order, as the recorder gave them to prom-client before.
      const versioned = version === undefined ? {} : { version };
      plain.counter.inc({ service, instance, outcome, ...versioned });
      plain.histogram.observe({ service, instance, ...versioned }, seconds);
      series.counter.add([service, instance, outcome, version]);
      series.histogram.record([service, instance, version], seconds);
    }
    // Scrapes between rounds: a counter's sums are handed over once, never twice.
    await scrape();
  }
  plain.counter.inc({ service: 'users', instance: instances[0] as string, outcome: '2xx' }, 5);
  series.counter.add(['users', instances[0], '2xx', undefined], 5);
  await scrape();

  plain.counter.reset();
  plain.histogram.reset();
  series.counter.reset();
  series.histogram.reset();
  await scrape();
  series.histogram.record(['users', instances[0], undefined], 0.5);
  plain.histogram.observe({ service: 'users', instance: instances[0] as string }, 0.5);
  await scrape();
  assert.match(await fast.metrics(), /^call_seconds_bucket\{le="1",service="users",instance="http:\/\/10\.0\.0\.1:4001"\} 1$/m);
});

test('SeriesHistogram refuses a value that is not a finite number, as prom-client does', () => {
  const histogram = new SeriesHistogram({ name: 'h_seconds', help: 'h', labelNames: ['service'], buckets, registers: [] });
  assert.throws(() => histogram.record(['users'], Number.NaN), /h_seconds: value is not a finite number: NaN/);
});
