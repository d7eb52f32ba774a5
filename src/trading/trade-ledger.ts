import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Money } from '../platform/decimal/money';
import { Clock } from '../platform/time/clock';
import { updateRow } from '../platform/database/update-row';
import { Fill } from './fill.entity';
import { Order } from './order.entity';
import { isFinal, OrderStatus } from './order-status';
import { Trade, TradeStatus } from './trade.entity';

/** Order intents that add to a position; the others reduce it. */
export const ENTRY_INTENTS = new Set(['entry', 'dca', 'add_funds']);

export interface TradeChange {
  trade: Trade;
  previous: TradeStatus;
  /** Fills were added to it. */
  filled: boolean;
}

/**
 * A fill's fee in the pair's quote currency, as the order service valued it when it recorded the
 * fill (a third currency such as BNB at that currency's own price); older fills: in quote as is, in
 * the base coin at the fill's price.
 */
export function feeInQuote(fill: Fill, base: string, quote: string): Money {
  if (fill.feeQuote !== null && fill.feeQuote !== undefined) return new Money(fill.feeQuote);
  if (fill.feeCurrency === quote || fill.feeCurrency === '') return new Money(fill.fee);
  if (fill.feeCurrency === base) return new Money(fill.fee).times(fill.price);
  // A third currency that could not be valued when the fill came in.
  return new Money(0);
}

/**
 * Trade accounting, inside the transaction that records an order's fills: a trade's amounts, average
 * prices, fees and realised PnL are exact sums of its fills, so they can never drift from them.
 */
@Injectable()
export class TradeLedger {
  constructor(private readonly clock: Clock) {}

  /** Applies an order's new fills, or its end without fills, to its trade. */
  async record(manager: EntityManager, order: Order, fills: Fill[]): Promise<TradeChange | undefined> {
    if (!order.tradeId) return undefined;
    const trade = await manager.findOne(Trade, {
      where: { id: order.tradeId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!trade) return undefined;
    const previous = trade.status;
    const entering = ENTRY_INTENTS.has(order.intent ?? '');
    const quote = trade.symbol.split('/')[1];
    const base = trade.symbol.split('/')[0];
    let entryAmount = new Money(trade.entryAmount);
    let entryFeeBase = new Money(trade.entryFeeBase);
    let entryCost = new Money(trade.entryCost);
    let exitAmount = new Money(trade.exitAmount);
    let exitCost = new Money(trade.exitCost);
    let fees = new Money(trade.fees);
    for (const fill of fills) {
      fees = fees.plus(feeInQuote(fill, base, quote));
      // A buy's fee taken in the coin bought never reaches the account: the position holds less.
      if (entering && order.side === 'buy' && fill.feeCurrency === base)
        entryFeeBase = entryFeeBase.plus(fill.fee);
      if (entering) {
        entryAmount = entryAmount.plus(fill.amount);
        entryCost = entryCost.plus(fill.cost);
      } else {
        exitAmount = exitAmount.plus(fill.amount);
        exitCost = exitCost.plus(fill.cost);
      }
    }
    const now = new Date(this.clock.nowMs());
    trade.entryAmount = entryAmount.toFixed();
    trade.entryFeeBase = entryFeeBase.toFixed();
    trade.entryCost = entryCost.toFixed();
    trade.exitAmount = exitAmount.toFixed();
    trade.exitCost = exitCost.toFixed();
    trade.fees = fees.toFixed();
    if (entryAmount.gt(0)) {
      const entryPrice = entryCost.div(entryAmount);
      const gross =
        trade.side === 'long'
          ? exitCost.minus(entryPrice.times(exitAmount))
          : entryPrice.times(exitAmount).minus(exitCost);
      trade.realizedPnl = gross.minus(fees).toFixed();
      if (trade.status === 'OPENING') {
        trade.status = 'OPEN';
        trade.openedAt = now;
        trade.initialRisk =
          trade.stopLoss !== null
            ? entryPrice.minus(trade.stopLoss).abs().times(entryAmount).toFixed()
            : null;
      }
      // The order that closes all of the trade, filled, ends it even when less than one amount step
      // of the coin is left: no exchange would take that remainder.
      const fullCloseFilled = !entering && order.closesTrade && order.status === OrderStatus.FILLED;
      if ((exitAmount.gte(entryAmount.minus(entryFeeBase)) && exitAmount.gt(0)) || fullCloseFilled) {
        trade.status = 'CLOSED';
        trade.closedAt = now;
        trade.closeReason ??=
          order.intent === 'stop_loss' || order.intent === 'take_profit' ? order.intent : 'manual';
      }
    }
    if (isFinal(order.status)) {
      // An entry that ended with nothing filled: no position was ever opened.
      if (entering && trade.status === 'OPENING' && entryAmount.isZero()) {
        trade.status = 'CANCELED';
        trade.closedAt = now;
        trade.closeReason ??= order.status === OrderStatus.REJECTED ? 'entry_rejected' : 'entry_canceled';
      }
      // An exit that ended without closing everything: the position is open again.
      if (!entering && trade.status === 'CLOSING') {
        trade.status = 'OPEN';
        trade.closeReason = null;
      }
    }
    if (fills.length === 0 && trade.status === previous) return undefined;
    return { trade: await this.write(manager, trade), previous, filled: fills.length > 0 };
  }

  /** Writes what `record` changes of a trade, in one statement (save would read it back first). */
  private async write(manager: EntityManager, trade: Trade): Promise<Trade> {
    const { entryAmount, entryFeeBase, entryCost, exitAmount, exitCost, fees, realizedPnl } = trade;
    const { status, openedAt, initialRisk, closedAt, closeReason } = trade;
    await updateRow(manager, Trade, trade, {
      entryAmount,
      entryFeeBase,
      entryCost,
      exitAmount,
      exitCost,
      fees,
      realizedPnl,
      status,
      openedAt,
      initialRisk,
      closedAt,
      closeReason,
    });
    return trade;
  }
}
