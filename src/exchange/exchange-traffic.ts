import { Injectable } from '@nestjs/common';
import type { Exchange } from 'ccxt';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../platform/metrics/metrics.service';

export interface TrafficTotals {
  requests: number;
  errors: number;
  latencyMsSum: number;
}

/**
 * Every HTTP request ccxt makes for an exchange account: its duration and, when it failed, ccxt's
 * error name (RequestTimeout, ExchangeNotAvailable, AuthenticationError, ...). Kept as Prometheus
 * series and as running totals the stored samples take their share of.
 */
@Injectable()
export class ExchangeTraffic {
  private readonly duration: Histogram<'exchange'>;
  private readonly errors: Counter<'exchange' | 'code'>;
  private totals: TrafficTotals = { requests: 0, errors: 0, latencyMsSum: 0 };

  constructor(metrics: MetricsService) {
    this.duration = new Histogram({
      name: 'tradeplane_exchange_request_duration_seconds',
      help: 'Exchange API requests (ccxt HTTP calls), by exchange',
      labelNames: ['exchange'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry('trading')],
    });
    this.errors = new Counter({
      name: 'tradeplane_exchange_request_errors_total',
      help: 'Failed exchange API requests, by exchange and ccxt error',
      labelNames: ['exchange', 'code'],
      registers: [metrics.registry('trading')],
    });
  }

  /** Wraps the instance's HTTP call (ccxt's `fetch`) to time it and count its failures. */
  watch(exchange: Exchange): void {
    const send = exchange.fetch.bind(exchange);
    exchange.fetch = async (...args: Parameters<Exchange['fetch']>) => {
      const started = performance.now();
      try {
        const answer: unknown = await send(...args);
        this.record(exchange.id, performance.now() - started, null);
        return answer;
      } catch (error) {
        this.record(exchange.id, performance.now() - started, error instanceof Error ? error.name : 'Error');
        throw error;
      }
    };
  }

  /** What was counted since the previous call (each stored sample takes its share once). */
  takeTotals(): TrafficTotals {
    const taken = this.totals;
    this.totals = { requests: 0, errors: 0, latencyMsSum: 0 };
    return taken;
  }

  private record(exchange: string, ms: number, errorName: string | null): void {
    this.duration.labels(exchange).observe(ms / 1000);
    this.totals.requests++;
    this.totals.latencyMsSum += ms;
    if (errorName === null) return;
    this.errors.labels(exchange, errorName).inc();
    this.totals.errors++;
  }
}
