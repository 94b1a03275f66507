import { Counter, Histogram, type CounterConfiguration, type HistogramConfiguration, type LabelValues } from 'prom-client';

/**
 * A label value by position, in the metric's `labelNames` order; `undefined` leaves that label
 * out of the series (as a key missing from prom-client's label object does).
 */
export type SeriesValues = readonly (string | undefined)[];

/**
 * The series of one metric, found by their label values through one `Map` per label. Label values
 * here come from the configuration and from small fixed sets, so they are the same strings again
 * and again and `Map` finds them by a hash V8 has already computed. prom-client instead checks the
 * label names and joins them with their values into a new string key on every `inc` and `observe`:
 * some fifteen times a GraphQL request, and more of the metrics' cost than the rest of the recorder.
 */
class SeriesTree<S> {
  readonly #root = new Map<string | undefined, unknown>();
  readonly #all: S[] = [];

  constructor(
    private readonly labelNames: readonly string[],
    private readonly create: (labels: LabelValues<string>) => S,
  ) {}

  /** The series of these label values, created at first use. */
  at(values: SeriesValues): S {
    let level = this.#root;
    const last = this.labelNames.length - 1;
    for (let index = 0; index < last; index++) {
      let next = level.get(values[index]) as Map<string | undefined, unknown> | undefined;
      if (next === undefined) level.set(values[index], (next = new Map()));
      level = next;
    }
    let series = level.get(values[last]) as S | undefined;
    if (series === undefined) {
      const labels: LabelValues<string> = {};
      this.labelNames.forEach((name, index) => {
        if (values[index] !== undefined) labels[name] = values[index];
      });
      level.set(values[last], (series = this.create(labels)));
      this.#all.push(series);
    }
    return series;
  }

  all(): readonly S[] {
    return this.#all;
  }

  clear(): void {
    this.#root.clear();
    this.#all.length = 0;
  }
}

/** A counter's series: what was added since the last scrape handed it to prom-client. */
interface CounterSeries {
  labels: LabelValues<string>;
  pending: number;
}

/**
 * A prom-client `Counter` with a fast path for its hot series: `add(values)` finds the series by
 * its label values (see {@link SeriesTree}) and adds there; each scrape hands the sums to
 * prom-client's own `inc` first, so the exposition is prom-client's. `inc` still works as usual.
 */
export class SeriesCounter<T extends string> extends Counter<T> {
  readonly #series: SeriesTree<CounterSeries>;

  constructor(configuration: CounterConfiguration<T> & { labelNames: readonly T[] }) {
    super(configuration);
    this.#series = new SeriesTree(configuration.labelNames, (labels) => ({ labels, pending: 0 }));
  }

  /** Adds `value` (default 1) to the series of `values`, given in `labelNames` order. */
  add(values: SeriesValues, value = 1): void {
    this.#series.at(values).pending += value;
  }

  override async get(): ReturnType<Counter<T>['get']> {
    for (const series of this.#series.all()) {
      if (series.pending === 0) continue;
      this.inc(series.labels as LabelValues<T>, series.pending);
      series.pending = 0;
    }
    return super.get();
  }

  override reset(): void {
    // prom-client's constructor calls reset() before this class's fields exist.
    if (#series in this) this.#series.clear();
    super.reset();
  }
}

/** A histogram's series: observations per bucket (not cumulative; the last is past every bound), sum and count. */
interface HistogramSeries {
  labels: LabelValues<string>;
  buckets: number[];
  sum: number;
  count: number;
}

/** prom-client's export of a histogram, and one of its values. */
type Exported = Awaited<ReturnType<Histogram<string>['get']>>;
type ExportedValue = Exported['values'][number];

/**
 * A prom-client `Histogram` with a fast path: `record(values, value)` finds the series by its label
 * values (see {@link SeriesTree}) and counts the observation in its bucket. Scrapes export these
 * series after any that prom-client's own `observe` made, in the same form (`_bucket` cumulative
 * with `le`, then `+Inf`, `_sum`, `_count`). Use one way per label set: the same labels observed
 * both ways would be exported twice.
 */
export class SeriesHistogram<T extends string> extends Histogram<T> {
  readonly #series: SeriesTree<HistogramSeries>;
  readonly #bounds: readonly number[];
  readonly #name: string;

  constructor(configuration: HistogramConfiguration<T> & { labelNames: readonly T[]; buckets: readonly number[] }) {
    super(configuration);
    this.#name = configuration.name;
    this.#bounds = [...configuration.buckets].sort((a, b) => a - b);
    this.#series = new SeriesTree(configuration.labelNames, (labels) => ({ labels, buckets: new Array(this.#bounds.length + 1).fill(0), sum: 0, count: 0 }));
  }

  /** Observes `value` in the series of `values`, given in `labelNames` order. */
  record(values: SeriesValues, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`${this.#name}: value is not a finite number: ${value}`);
    const series = this.#series.at(values);
    let bucket = 0;
    while (bucket < this.#bounds.length && value > (this.#bounds[bucket] as number)) bucket++;
    (series.buckets[bucket] as number)++;
    series.sum += value;
    series.count += 1;
  }

  /**
   * What the registry formats for the exposition, and what prom-client's `get()` builds on: its
   * Histogram has this method (not in its typings), and the registry prefers it to `get()`. `le`
   * comes first, then the series' labels (`sharedLabels`, which `get()` merges into `labels`).
   */
  async getForPromString(): Promise<Exported> {
    const own = await (Histogram.prototype as unknown as { getForPromString(this: Histogram<T>): Promise<Exported> }).getForPromString.call(this);
    const name = this.#name;
    const values: ExportedValue[] = [...own.values];
    for (const { labels, buckets, sum, count } of this.#series.all()) {
      let cumulative = 0;
      this.#bounds.forEach((bound, index) => {
        cumulative += buckets[index] as number;
        values.push(exported(`${name}_bucket`, { le: bound }, cumulative, labels, null));
      });
      values.push(exported(`${name}_bucket`, { le: '+Inf' }, count, labels, null));
      values.push(exported(`${name}_sum`, {}, sum, labels, undefined));
      values.push(exported(`${name}_count`, {}, count, labels, undefined));
    }
    return { ...own, values };
  }

  override reset(): void {
    // prom-client's constructor calls reset() before this class's fields exist.
    if (#series in this) this.#series.clear();
    super.reset();
  }
}

/** One exported value, of the shape prom-client's own histogram gives (its `setValuePair`): no exemplars here. */
function exported(
  metricName: string,
  labels: LabelValues<string>,
  value: number,
  sharedLabels: LabelValues<string>,
  exemplar: null | undefined,
): ExportedValue {
  return { labels, sharedLabels, value, metricName, exemplar } as unknown as ExportedValue;
}
