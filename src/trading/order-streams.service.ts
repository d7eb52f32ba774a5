import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { ExchangeStreams, StreamedOrder } from '../exchange/exchange-streams.service';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus } from '../platform/events/event-bus';
import { Order } from './order.entity';
import { isFinal, UNSETTLED_STATUSES } from './order-status';
import { OrdersService } from './orders.service';

/**
 * Fills learned at once: the order stream of each exchange account with orders under way is followed,
 * and an update of one of our orders has it looked up and recorded right away (the reconciler's
 * periodic pass stays as the safety net for anything a stream misses).
 */
@Injectable()
export class OrderStreams implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OrderStreams');
  private readonly followed = new Map<string, () => void>();
  private stopListening: (() => void) | undefined;

  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly service: OrdersService,
    private readonly streams: ExchangeStreams,
    private readonly events: EventBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stopListening = this.events.on('order.placed', ({ order }) => {
      if (order.venue === 'exchange' && !isFinal(order.status)) void this.follow(order.accountId);
    });
    const accounts: Array<{ account_id: string }> = await this.orders
      .createQueryBuilder('o')
      .select('DISTINCT o.accountId', 'account_id')
      .where({ venue: 'exchange', status: In(UNSETTLED_STATUSES) })
      .getRawMany();
    for (const { account_id } of accounts) await this.follow(account_id);
  }

  onModuleDestroy(): void {
    this.stopListening?.();
    for (const stop of this.followed.values()) stop();
    this.followed.clear();
  }

  /** Follows the account's order stream (once), where its exchange has one. */
  async follow(accountId: string): Promise<void> {
    if (this.followed.has(accountId)) return;
    this.followed.set(accountId, () => undefined);
    const supported = await this.streams.supports(accountId).catch(() => false);
    if (!supported) return;
    this.followed.set(
      accountId,
      this.streams.watchOrders(accountId, {
        updated: (orders) => void this.apply(accountId, orders),
        resync: () => void this.resync(accountId),
      }),
    );
  }

  get accounts(): string[] {
    return [...this.followed.keys()];
  }

  /** Looks up each of the account's orders under way (what the stream could not have seen). */
  private async resync(accountId: string): Promise<void> {
    const pending = await this.orders.find({
      select: { id: true },
      where: { accountId, venue: 'exchange', status: In(UNSETTLED_STATUSES) },
    });
    for (const { id } of pending)
      await this.service
        .reconcile(id)
        .catch((error: unknown) => this.logger.warn(`order ${id}: ${errorMessage(error)}`));
  }

  private async apply(accountId: string, streamed: StreamedOrder[]): Promise<void> {
    for (const update of streamed) {
      try {
        const ours = await this.orders.findOne({
          select: { id: true },
          where: [
            { accountId, exchangeOrderId: update.id, status: In(UNSETTLED_STATUSES) },
            ...(update.clientOrderId
              ? [{ accountId, clientOrderId: update.clientOrderId, status: In(UNSETTLED_STATUSES) }]
              : []),
          ],
        });
        if (ours) await this.service.reconcile(ours.id);
      } catch (error) {
        this.logger.warn(`order update ${update.id} of account ${accountId}: ${errorMessage(error)}`);
      }
    }
  }
}
