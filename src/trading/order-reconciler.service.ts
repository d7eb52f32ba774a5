import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, LessThan, Repository } from 'typeorm';
import { AppConfig } from '../platform/config/app-config';
import { Money } from '../platform/decimal/money';
import { EventBus } from '../platform/events/event-bus';
import { AdvisoryLeases } from '../platform/leases/advisory-leases';
import { Clock } from '../platform/time/clock';
import { Order, OrderVenue } from './order.entity';
import { OrderStatus, UNSETTLED_STATUSES } from './order-status';
import { CLIENT_ORDER_PREFIX, OrdersService } from './orders.service';
import { TradingVenues } from './trading-venues.service';
import { DEFAULT_PAPER_ACCOUNT } from '../exchange/paper/paper-exchange.service';
import { errorMessage } from '../platform/errors/error-message';

/** Periodic passes leave alone orders younger than this: their placement may still be under way. */
const SETTLE_AGE_MS = 5_000;

export interface ReconciliationReport {
  trigger: 'startup' | 'periodic';
  startedAt: string;
  finishedAt: string;
  checked: number;
  changed: number;
  adopted: number;
  stillUnknown: number;
  errors: number;
}

/** Held by the instance that runs the periodic passes. */
const RECONCILER_LEASE = 'reconciler';

/**
 * Keeps our orders equal to the exchanges'. At start-up, before the app serves requests or runs
 * bots, every order not in a final state is looked up (fills missed while down are applied), and
 * open orders carrying our client-id prefix that we have no row for are adopted. Then a periodic
 * pass does the same for OPEN, PARTIALLY_FILLED, PENDING_SUBMIT and UNKNOWN orders, and adopts too.
 */
@Injectable()
export class OrderReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Reconciliation');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReconciliationReport> | undefined;
  lastReport: ReconciliationReport | undefined;

  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly service: OrdersService,
    private readonly venues: TradingVenues,
    private readonly events: EventBus,
    private readonly leases: AdvisoryLeases,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const report = await this.run('startup');
    if (report.checked + report.adopted > 0)
      this.logger.log(
        `start-up: ${report.checked} unsettled orders checked, ${report.changed} changed, ${report.adopted} adopted, ${report.stillUnknown} still unknown`,
      );
    this.timer = setInterval(() => {
      this.runPeriodic().catch((error: unknown) =>
        this.logger.warn(`periodic pass failed: ${String(error)}`),
      );
    }, this.config.trading.reconcileIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * A periodic pass, in the one instance that holds the reconciler's lease (the others check again
   * each interval and take over when it goes); null where another instance holds it.
   */
  async runPeriodic(): Promise<ReconciliationReport | null> {
    if (!(await this.leases.acquire(RECONCILER_LEASE))) return null;
    return this.run('periodic');
  }

  /** Whether this instance runs the periodic passes. */
  get leader(): boolean {
    return this.leases.holds(RECONCILER_LEASE);
  }

  /** One pass; concurrent callers share the pass under way. */
  run(trigger: 'startup' | 'periodic'): Promise<ReconciliationReport> {
    this.running ??= this.pass(trigger).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(trigger: 'startup' | 'periodic'): Promise<ReconciliationReport> {
    const startedAt = new Date(this.clock.nowMs());
    const report: ReconciliationReport = {
      trigger,
      startedAt: startedAt.toISOString(),
      finishedAt: '',
      checked: 0,
      changed: 0,
      adopted: 0,
      stillUnknown: 0,
      errors: 0,
    };
    const unsettled = await this.orders.find({
      where: {
        status: In(UNSETTLED_STATUSES),
        ...(trigger === 'periodic'
          ? { updatedAt: LessThan(new Date(startedAt.getTime() - SETTLE_AGE_MS)) }
          : {}),
      },
      order: { createdAt: 'ASC' },
      take: 500,
    });
    const venues = new Map<string, { venue: OrderVenue; accountId: string }>([
      [`paper|${DEFAULT_PAPER_ACCOUNT}`, { venue: 'paper', accountId: DEFAULT_PAPER_ACCOUNT }],
    ]);
    for (const order of unsettled) {
      venues.set(`${order.venue}|${order.accountId}`, { venue: order.venue, accountId: order.accountId });
      report.checked++;
      try {
        const after = await this.service.reconcile(order.id);
        // Amounts as numbers: the stored text and the exchange's may write the same amount differently.
        if (after.status !== order.status || !new Money(after.filled).eq(order.filled)) report.changed++;
        if (after.status === OrderStatus.UNKNOWN) report.stillUnknown++;
      } catch (error) {
        report.errors++;
        this.logger.warn(`order ${order.id}: ${errorMessage(error)}`);
      }
    }
    // An order is written before it is sent, so an open one with our prefix and no row is truly unknown.
    for (const venue of venues.values()) report.adopted += await this.adoptOpenOrders(venue, report);
    report.finishedAt = new Date(this.clock.nowMs()).toISOString();
    this.lastReport = report;
    this.events.publish('orders.reconciled', report);
    return report;
  }

  /** Open orders with our prefix that we have no row for (a restored database, another instance's crash). */
  private async adoptOpenOrders(
    target: { venue: OrderVenue; accountId: string },
    report: ReconciliationReport,
  ): Promise<number> {
    let adopted = 0;
    try {
      const exchange = await this.venues.of(target);
      const open = (await exchange.fetchOpenOrders()).filter((order) =>
        order.clientOrderId.startsWith(CLIENT_ORDER_PREFIX),
      );
      if (open.length === 0) return 0;
      const known = new Set(
        (
          await this.orders.find({
            select: { clientOrderId: true },
            where: { clientOrderId: In(open.map((order) => order.clientOrderId)) },
          })
        ).map((order) => order.clientOrderId),
      );
      for (const found of open.filter((order) => !known.has(order.clientOrderId))) {
        const id = randomUUID();
        await this.orders.insert({
          id,
          clientOrderId: found.clientOrderId,
          venue: target.venue,
          accountId: target.accountId,
          exchangeId: exchange.exchangeId,
          symbol: found.symbol,
          side: found.side,
          type: found.type,
          amount: found.amount,
          price: found.price,
          stopPrice: found.stopPrice,
          status: OrderStatus.UNKNOWN,
          statusReason: 'adopted: found open on the exchange with no record here',
          exchangeOrderId: found.id,
          filled: '0',
          cost: '0',
          fee: '0',
          createdBy: null,
        });
        await this.service.reconcile(id);
        adopted++;
      }
    } catch (error) {
      report.errors++;
      this.logger.warn(
        `adopting open orders of ${target.venue} ${target.accountId} failed: ${errorMessage(error)}`,
      );
    }
    return adopted;
  }
}
