import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { AdvisoryLeases } from '../platform/leases/advisory-leases';
import { Trade } from './trade.entity';
import { TradePrices } from './trade-prices.service';
import { TradesService } from './trades.service';
import { errorMessage } from '../platform/errors/error-message';
import { levelReached } from './exit-policy';

const CHECK_INTERVAL_MS = 1000;
/** Held by the instance that watches the levels. */
const GUARD_LEASE = 'trade-guard';

/**
 * Watches open positions every second (in one instance: the one holding the guard's lease) and closes,
 * at market, those whose stop loss or take profit the market's last traded price reached (the exit
 * policy's levelReached): a long at or below its stop (or at or above its target), a short the other
 * way round. A bot's cycle checks each closed candle's range too, for a touch between two checks.
 */
@Injectable()
export class TradeGuard implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TradeGuard');
  private timer: NodeJS.Timeout | undefined;
  /** The pass under way. */
  private running: Promise<string[]> | undefined;

  constructor(
    @InjectRepository(Trade) private readonly trades: Repository<Trade>,
    private readonly service: TradesService,
    private readonly prices: TradePrices,
    private readonly leases: AdvisoryLeases,
  ) {}

  /** Whether this instance watches the levels (one instance does; another takes over when it goes). */
  get leader(): boolean {
    return this.leases.holds(GUARD_LEASE);
  }

  onApplicationBootstrap(): void {
    // The timer skips a beat while a pass runs; a caller's check waits for it instead (below).
    this.timer = setInterval(() => {
      if (!this.running) void this.check();
    }, CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * One pass, where this instance holds the guard's lease; returns the trades it closed. A pass
   * already under way finishes first, so the caller's pass sees the levels and prices as they are now.
   */
  async check(): Promise<string[]> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.pass();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async pass(): Promise<string[]> {
    const closed: string[] = [];
    try {
      if (!(await this.leases.acquire(GUARD_LEASE))) return closed;
      const watched = await this.trades.find({
        where: [
          { status: 'OPEN', stopLoss: Not(IsNull()) },
          { status: 'OPEN', takeProfit: Not(IsNull()) },
        ],
        take: 1000,
      });
      for (const trade of watched) {
        const reason = await this.reached(trade);
        if (!reason) continue;
        try {
          await this.service.close(trade.id, reason, null);
          closed.push(trade.id);
          this.logger.log(`trade ${trade.id} (${trade.symbol}) closed: ${reason}`);
        } catch (error) {
          this.logger.warn(`closing trade ${trade.id} at its ${reason} failed: ${errorMessage(error)}`);
        }
      }
    } catch (error) {
      this.logger.warn(`check failed: ${errorMessage(error)}`);
    }
    return closed;
  }

  private async reached(trade: Trade): Promise<'stop_loss' | 'take_profit' | null> {
    const price = await this.prices.lastPriceOf(trade);
    if (price === null) return null;
    return levelReached(
      {
        side: trade.side,
        stopLoss: trade.stopLoss === null ? null : Number(trade.stopLoss),
        takeProfit: trade.takeProfit === null ? null : Number(trade.takeProfit),
      },
      price,
      price,
    );
  }
}
