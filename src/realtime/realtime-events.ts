import '../dca/dca.events';
import '../ml/ml.events';
import '../alerts/alerts.events';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { RuntimeSettings } from '../platform/settings/runtime-settings';
import { EventBus, EventName } from '../platform/events/event-bus';
import '../monitoring/monitoring.events';
import type { TradeDto } from '../trading/dto/trade.dto';
import '../trading/trading.events';
import { TradeQueries } from '../trading/trade-queries.service';
import '../market/market.events';
import '../scanner/scanner.events';
import '../engine/engine.events';
import '../dca/dca.events';
import '../platform/jobs/jobs.events';
import { RealtimeHub } from './realtime-hub';
import { RealtimeFanout } from './realtime-fanout';
import { TICKER_TOPIC_PREFIX } from './topics';

interface Route {
  type: string;
  topics: string[];
  /** What subscribers receive: the order or position itself, not the event envelope. */
  data: (payload: never) => unknown;
}

const order = (topics: string[], type: string): Route => ({
  type,
  topics,
  data: (payload: { order: unknown }) => payload.order,
});
const position = (type: string): Route => ({
  type,
  topics: ['positions', 'trading_updates'],
  data: (payload: { position: unknown }) => payload.position,
});
/** The price a `trading_update` shows: where the position was entered, stands, or was exited. */
const PRICE_OF = {
  position_opened: (trade: TradeDto) => trade.entryPrice,
  position_updated: (trade: TradeDto) => trade.currentPrice,
  position_closed: (trade: TradeDto) => trade.exitPrice,
};
/** Seed 003's short `trading_update`: what happened to which position, its size and price. */
const tradingUpdate = (event: keyof typeof PRICE_OF): Route => ({
  type: 'trading_update',
  topics: ['trading_updates'],
  data: ({ position: trade }: { position: TradeDto }) => ({
    event,
    tradeId: trade.id,
    symbol: trade.symbol,
    side: trade.positionSide,
    size: event === 'position_closed' ? trade.amount : trade.openAmount,
    price: PRICE_OF[event](trade),
  }),
});

/** Which WebSocket messages each domain event becomes, and on which topics. */
const ROUTES: Partial<Record<EventName, Route[]>> = {
  'order.placed': [order(['orders', 'trading_updates'], 'ORDER_PLACED')],
  'order.filled': [order(['orders', 'trading_updates'], 'ORDER_FILLED')],
  'order.canceled': [order(['orders', 'trading_updates'], 'ORDER_CANCELLED')],
  'order.updated': [order(['orders', 'trading_updates'], 'ORDER_UPDATE')],
  'position.opened': [position('POSITION_OPENED'), tradingUpdate('position_opened')],
  'position.updated': [position('POSITION_UPDATE'), tradingUpdate('position_updated')],
  'position.closed': [position('POSITION_CLOSED'), tradingUpdate('position_closed')],
  'scanner.result': [{ type: 'SCAN_RESULT', topics: ['scanner'], data: (payload: unknown) => payload }],
  'engine.state': [{ type: 'ENGINE_UPDATE', topics: ['engine'], data: (payload: unknown) => payload }],
  'engine.signal': [{ type: 'SIGNAL', topics: ['signals'], data: (payload: unknown) => payload }],
  'alert.raised': [{ type: 'alert', topics: ['alerts'], data: (payload: unknown) => payload }],
  'system.sampled': [{ type: 'metrics', topics: ['metrics'], data: (payload: unknown) => payload }],
  // At most 2 a second per job (the job queue throttles them).
  'job.updated': [{ type: 'JOB_UPDATE', topics: ['jobs'], data: (payload: unknown) => payload }],
};

/** Events every instance produces for itself: they stay on the instance. */
const INSTANCE_EVENTS: ReadonlySet<EventName> = new Set<EventName>(['system.sampled']);

/** Forwards domain events to WebSocket topics (after their transactions committed: that is when they are published). */
@Injectable()
export class RealtimeEvents implements OnModuleInit {
  private readonly logger = new Logger('RealtimeEvents');

  constructor(
    private readonly events: EventBus,
    private readonly hub: RealtimeHub,
    private readonly fanout: RealtimeFanout,
    private readonly trades: TradeQueries,
    private readonly settings: RuntimeSettings,
  ) {}

  onModuleInit(): void {
    // The hub serialises nothing for a topic without subscribers.
    this.events.on('ticker', (ticker) =>
      this.hub.publish(`${TICKER_TOPIC_PREFIX}${ticker.symbol}`, 'TICKER', ticker),
    );
    // Events that happen in one instance reach the subscribers of all (tickers, above, and the
    // instance's own metrics, below, are produced by every instance and stay on it).
    // The stored alert as it was raised, raised again (its count), acknowledged, or resolved.
    this.events.on('alerts.changed', ({ event, alert }) => this.fanout.publish('alerts', event, alert));
    // Each deal event under its own name (DEAL_OPENED, SAFETY_ORDER_FILLED, ...).
    this.events.on('dca.deal', ({ event, ...deal }) => this.fanout.publish('dca', event, deal));
    this.events.on('dca.executed', (execution) => this.fanout.publish('dca', 'DCA_EXECUTED', execution));
    this.events.on('ml.prediction', (prediction) => this.fanout.publish('ml', 'PREDICTION', prediction));
    for (const [name, routes] of Object.entries(ROUTES) as Array<[EventName, Route[]]>) {
      const publish = INSTANCE_EVENTS.has(name)
        ? this.hub.publish.bind(this.hub)
        : this.fanout.publish.bind(this.fanout);
      this.events.on(name, (payload) => {
        for (const route of routes) {
          const data = route.data(payload as never);
          for (const topic of route.topics) publish(topic, route.type, data);
        }
      });
    }
    this.events.on('system.sampled', (sample) => {
      if (this.hub.subscriberCount('system_status') === 0) return;
      this.trades.summary().then(
        ({ openPositions }) =>
          this.hub.publish('system_status', 'system_status', {
            trading_active: this.settings.section('trading').enabled,
            cpu_usage: sample.cpuPercent,
            memory_usage: sample.memoryPercent,
            open_positions: openPositions,
            event_loop_lag_ms: sample.eventLoopLagMs,
          }),
        (error: unknown) => this.logger.warn(`system_status not sent: ${String(error)}`),
      );
    });
  }
}
