import { Injectable } from '@nestjs/common';
import type { Exchange } from 'ccxt';
import { Counter, Histogram } from 'prom-client';
import { EventBus } from '../platform/events/event-bus';
import { MetricsService } from '../platform/metrics/metrics.service';
import './exchange.events';

/** Failures in a row after which an account's exchange counts as unreachable. */
const UNREACHABLE_AFTER = 3;
/** ccxt's errors for a credential the exchange refuses. */
const AUTH_ERRORS = new Set([
  'AuthenticationError',
  'PermissionDenied',
  'AccountSuspended',
  'AccountNotEnabled',
]);
/** ccxt's errors for an exchange that does not answer properly (OperationFailed and its NetworkError family). */
const NETWORK_ERRORS = new Set([
  'OperationFailed',
  'NetworkError',
  'DDoSProtection',
  'RateLimitExceeded',
  'ExchangeNotAvailable',
  'OnMaintenance',
  'RequestTimeout',
  'InvalidNonce',
  'BadResponse',
  'NullResponse',
]);

interface Reachability {
  failures: number;
  reported: 'unreachable' | 'auth_failed' | null;
}

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
  private readonly accounts = new Map<string, Reachability>();

  constructor(
    metrics: MetricsService,
    private readonly events: EventBus,
  ) {
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

  /**
   * Wraps the instance's HTTP call (ccxt's `fetch`) to time it, count its failures, and tell when the
   * account's exchange stops answering or refuses its credentials, and when it answers again.
   */
  watch(exchange: Exchange, accountId: string): void {
    const send = exchange.fetch.bind(exchange);
    exchange.fetch = async (...args: Parameters<Exchange['fetch']>) => {
      const started = performance.now();
      try {
        const answer: unknown = await send(...args);
        this.record(exchange.id, performance.now() - started, null);
        this.reachable(accountId, exchange.id, null);
        return answer;
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        this.record(exchange.id, performance.now() - started, name);
        this.reachable(accountId, exchange.id, error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
    };
  }

  private reachable(accountId: string, exchangeId: string, error: Error | null): void {
    const state = this.accounts.get(accountId) ?? { failures: 0, reported: null };
    this.accounts.set(accountId, state);
    const announce = (next: 'unreachable' | 'auth_failed' | 'reachable') =>
      this.events.publish('exchange.reachability', {
        accountId,
        exchangeId,
        state: next,
        // Without query strings: some exchanges' errors quote the signed URL, key included.
        error: error ? `${error.name}: ${error.message}`.replace(/\?\S*/g, '').slice(0, 300) : null,
      });
    if (error === null || !(AUTH_ERRORS.has(error.name) || NETWORK_ERRORS.has(error.name))) {
      // An answer, even a refusal of the request itself (bad symbol, no funds): the exchange is there.
      state.failures = 0;
      if (state.reported !== null) announce('reachable');
      state.reported = null;
      return;
    }
    if (AUTH_ERRORS.has(error.name)) {
      state.failures = 0;
      if (state.reported !== 'auth_failed') announce('auth_failed');
      state.reported = 'auth_failed';
      return;
    }
    state.failures++;
    if (state.failures >= UNREACHABLE_AFTER && state.reported !== 'unreachable') {
      announce('unreachable');
      state.reported = 'unreachable';
    }
  }

  /** Totals taken by a sample that could not be stored: the next one counts them. */
  giveBack(totals: TrafficTotals): void {
    this.totals.requests += totals.requests;
    this.totals.errors += totals.errors;
    this.totals.latencyMsSum += totals.latencyMsSum;
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
