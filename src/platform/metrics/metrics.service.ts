import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus registry of this application instance. Domain modules register their own
 * counters on it; HTTP request counts and durations are recorded for every route.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Labelled children by "method route status": prom-client would otherwise hash labels per call. */
  private readonly httpSeries = new Map<
    string,
    { count: { inc(): void }; duration: { observe(value: number): void } }
  >();

  constructor() {
    this.registry.setDefaultLabels({ app: 'tradeplane' });
    collectDefaultMetrics({ register: this.registry, prefix: 'tradeplane_' });
    this.httpRequests = new Counter({
      name: 'tradeplane_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'tradeplane_http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }

  /** Records every response. Labels use the route pattern, never the raw URL, to bound cardinality. */
  instrument(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions?.url ?? 'unmatched';
      const key = `${request.method} ${route} ${reply.statusCode}`;
      let series = this.httpSeries.get(key);
      if (!series) {
        const labels = [request.method, route, String(reply.statusCode)];
        series = {
          count: this.httpRequests.labels(...labels),
          duration: this.httpDuration.labels(...labels),
        };
        this.httpSeries.set(key, series);
      }
      series.count.inc();
      series.duration.observe(reply.elapsedTime / 1000);
      done();
    });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
