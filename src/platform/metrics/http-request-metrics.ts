import type { Registry, RegistryContentType } from 'prom-client';

/** Upper bounds (seconds) of the request duration histogram. */
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Series {
  labels: { method: string; route: string; status: string };
  /** Requests per bucket (not cumulative); the last one counts those over every bound. */
  buckets: number[];
  sum: number;
  count: number;
}

interface MetricValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * HTTP request counts and durations by method, route pattern and status, counted in plain numbers on
 * every response and turned into Prometheus series only when scraped. prom-client's own counter and
 * histogram check and hash the labels on every call: on the lightest routes that was a tenth of the
 * framework's time per request.
 */
export class HttpRequestMetrics {
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly countName: string,
    private readonly durationName: string,
  ) {}

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: { method, route, status: String(status) },
        buckets: new Array<number>(BUCKETS.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.series.set(key, series);
    }
    let bucket = 0;
    while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]) bucket++;
    series.buckets[bucket]++;
    series.sum += seconds;
    series.count++;
  }

  /**
   * Registers the request counter and the duration histogram as series of `registry`: objects with
   * what a registry asks of a metric (its name, which it may rewrite for OpenMetrics, `get`, `reset`).
   */
  register(registry: Registry<RegistryContentType>): void {
    const all = () => [...this.series.values()];
    const reset = () => this.series.clear();
    const counter = {
      name: this.countName,
      help: 'HTTP requests answered, by method, route pattern and status',
      type: 'counter',
      aggregator: 'sum',
      reset,
      get: () => ({
        ...describeMetric(counter),
        values: all().map((series) => ({ labels: series.labels, value: series.count })),
      }),
    };
    const histogram = {
      name: this.durationName,
      help: 'HTTP request duration in seconds, by method, route pattern and status',
      type: 'histogram',
      aggregator: 'sum',
      reset,
      get: () => ({
        ...describeMetric(histogram),
        values: all().flatMap((series) => this.histogramValues(series)),
      }),
    };
    for (const metric of [counter, histogram])
      registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  private histogramValues(series: Series): MetricValue[] {
    const values: MetricValue[] = [];
    let cumulative = 0;
    for (let bucket = 0; bucket <= BUCKETS.length; bucket++) {
      cumulative += series.buckets[bucket];
      values.push({
        metricName: `${this.durationName}_bucket`,
        labels: { le: bucket < BUCKETS.length ? BUCKETS[bucket] : '+Inf', ...series.labels },
        value: cumulative,
      });
    }
    values.push({ metricName: `${this.durationName}_sum`, labels: series.labels, value: series.sum });
    values.push({ metricName: `${this.durationName}_count`, labels: series.labels, value: series.count });
    return values;
  }
}

function describeMetric(metric: { name: string; help: string; type: string; aggregator: string }) {
  const { name, help, type, aggregator } = metric;
  return { name, help, type, aggregator };
}
