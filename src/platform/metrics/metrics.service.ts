import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { HttpRequestMetrics } from './http-request-metrics';

export interface ScrapedSeries<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  /**
   * `counter`: a total that only grows, read from where it is kept (the database, a hub's count);
   * `gauge` (default): a value that goes up and down.
   */
  type?: 'gauge' | 'counter';
}

/** The parts /api/metrics/<subset> serves; /api/metrics serves them all. */
export const METRIC_SUBSETS = ['system', 'trading', 'ml'] as const;
export type MetricSubset = (typeof METRIC_SUBSETS)[number];

/**
 * The Prometheus registries of this application instance, one per subset. Domain modules register
 * their own series in the subset they belong to (`registry('trading')`); HTTP request counts and
 * durations are recorded for every route.
 */
@Injectable()
export class MetricsService {
  private readonly registries: Record<MetricSubset, Registry> = {
    system: new Registry(),
    trading: new Registry(),
    ml: new Registry(),
  };
  private readonly http = new HttpRequestMetrics(
    'tradeplane_http_requests_total',
    'tradeplane_http_request_duration_seconds',
  );

  constructor() {
    for (const registry of Object.values(this.registries)) registry.setDefaultLabels({ app: 'tradeplane' });
    collectDefaultMetrics({ register: this.registries.system, prefix: 'tradeplane_' });
    this.http.register(this.registries.system);
  }

  /** Records every response. Labels use the route pattern, never the raw URL, to bound cardinality. */
  instrument(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions?.url ?? 'unmatched';
      this.http.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  /**
   * A series read when Prometheus scrapes (counts in the database, a hub's totals): `read` answers
   * every labelled value; a failed read leaves the series empty for that scrape.
   */
  scraped<L extends string>(
    subset: MetricSubset,
    series: ScrapedSeries<L>,
    read: () =>
      Promise<Array<[Partial<Record<L, string>>, number]>> | Array<[Partial<Record<L, string>>, number]>,
  ): void {
    const labelNames = (series.labelNames ?? []) as L[];
    const readValues = () =>
      Promise.resolve()
        .then(read)
        .catch(() => []);
    const options = {
      name: series.name,
      help: series.help,
      labelNames,
      registers: [this.registries[subset]],
    };
    // A counter's total is read, not counted here: it is reset and raised to the value read.
    if (series.type === 'counter')
      new Counter<L>({
        ...options,
        async collect() {
          const values = await readValues();
          this.reset();
          for (const [labels, value] of values) this.inc(labels, value);
        },
      });
    else
      new Gauge<L>({
        ...options,
        async collect() {
          const values = await readValues();
          this.reset();
          for (const [labels, value] of values) this.set(labels, value);
        },
      });
  }

  registry(subset: MetricSubset): Registry {
    return this.registries[subset];
  }

  /** One subset's series, or all of them. */
  async render(subset?: MetricSubset): Promise<string> {
    if (subset) return this.registries[subset].metrics();
    const parts = await Promise.all(METRIC_SUBSETS.map((name) => this.registries[name].metrics()));
    return parts.filter((part) => part.trim() !== '').join('\n');
  }

  /** How many series the registries hold (metrics health). */
  async seriesCount(): Promise<number> {
    const all = await Promise.all(METRIC_SUBSETS.map((name) => this.registries[name].getMetricsAsJSON()));
    return all.flat().reduce((sum, metric) => sum + metric.values.length, 0);
  }

  get contentType(): string {
    return this.registries.system.contentType;
  }
}
