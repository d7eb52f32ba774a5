import { decimalNumber, Money } from '../platform/decimal/money';
import { lastChange } from '../platform/time/last-change';
import type { PositionDto } from './dto/position.dto';
import type { TradeDto } from './dto/trade.dto';
import type { Trade } from './trade.entity';

/** What the entries put in the account: the amount filled less fees taken in the coin bought. */
export function heldAmount(trade: Pick<Trade, 'entryAmount' | 'entryFeeBase'>): Money {
  return new Money(trade.entryAmount).minus(trade.entryFeeBase);
}

/** What the position still holds: held less what exits sold. */
export function openAmount(trade: Pick<Trade, 'entryAmount' | 'entryFeeBase' | 'exitAmount'>): Money {
  return heldAmount(trade).minus(trade.exitAmount);
}

/** Unrealised PnL of the open amount at a price, after nothing more (fees are in realised). */
export function unrealizedOf(trade: Trade, price: number | null): Money {
  const entryAmount = new Money(trade.entryAmount);
  if (price === null || entryAmount.isZero()) return new Money(0);
  const open = openAmount(trade);
  const entryPrice = new Money(trade.entryCost).div(entryAmount);
  const move = new Money(price).minus(entryPrice);
  return (trade.side === 'long' ? move : move.neg()).times(open);
}

/** Whether the trade holds coins now: open or closing, or an entry that has partly filled. */
export function holdsPosition(trade: Pick<Trade, 'status' | 'entryAmount'>): boolean {
  return (
    trade.status === 'OPEN' ||
    trade.status === 'CLOSING' ||
    (trade.status === 'OPENING' && new Money(trade.entryAmount).gt(0))
  );
}

export function toTradeDto(trade: Trade, currentPrice: number | null): TradeDto {
  const entryAmount = new Money(trade.entryAmount);
  const exitAmount = new Money(trade.exitAmount);
  const price = holdsPosition(trade) ? currentPrice : null;
  const unrealized = unrealizedOf(trade, price);
  const realized = new Money(trade.realizedPnl);
  // Before any exit, realised holds the entry fees only: they count against the open position's PnL.
  const pnl = realized.plus(unrealized);
  const entryCost = new Money(trade.entryCost);
  const risk = trade.initialRisk === null ? null : new Money(trade.initialRisk);
  return {
    id: trade.id,
    symbol: trade.symbol,
    side: trade.side === 'long' ? 'buy' : 'sell',
    positionSide: trade.side,
    status: trade.status,
    mode: trade.mode,
    exchange: trade.exchangeId,
    accountId: trade.accountId,
    amount: decimalNumber(heldAmount(trade)),
    openAmount: decimalNumber(openAmount(trade)),
    entryAmount: decimalNumber(heldAmount(trade)),
    entryPrice: entryAmount.isZero() ? null : decimalNumber(entryCost.div(entryAmount)),
    exitPrice: exitAmount.isZero() ? null : decimalNumber(new Money(trade.exitCost).div(exitAmount)),
    currentPrice: price,
    stopLoss: trade.stopLoss === null ? null : Number(trade.stopLoss),
    takeProfit: trade.takeProfit === null ? null : Number(trade.takeProfit),
    pnl: decimalNumber(pnl),
    pnlPercent: entryCost.isZero() ? 0 : decimalNumber(pnl.div(entryCost).times(100), 4),
    realizedPnl: decimalNumber(realized),
    unrealizedPnl: decimalNumber(unrealized),
    pnlR: risk && risk.gt(0) ? decimalNumber(pnl.div(risk), 4) : null,
    initialRisk: risk ? decimalNumber(risk) : null,
    riskShare: trade.riskShare === null ? null : Number(trade.riskShare),
    sizedBy: trade.sizedBy,
    fees: decimalNumber(new Money(trade.fees)),
    volume: decimalNumber(entryCost.plus(trade.exitCost)),
    closeReason: trade.closeReason,
    dcaEnabled: trade.dcaEnabled,
    maxDcaAttempts: trade.maxDcaAttempts,
    dcaAttempts: trade.dcaAttempts,
    botId: trade.botId,
    preset: trade.preset,
    mlConfidence: trade.mlConfidence === null ? null : Number(trade.mlConfidence),
    mlModel: trade.mlModel,
    createdAt: trade.createdAt.toISOString(),
    updatedAt: lastChange(trade.updatedAt, trade.openedAt, trade.closedAt).toISOString(),
    openedAt: trade.openedAt?.toISOString() ?? null,
    closedAt: trade.closedAt?.toISOString() ?? null,
  };
}

export function toPositionDto(trade: Trade, currentPrice: number | null): PositionDto {
  const view = toTradeDto(trade, currentPrice);
  const unrealizedR = view.initialRisk
    ? Math.round((view.unrealizedPnl / view.initialRisk) * 10_000) / 10_000
    : null;
  return {
    id: trade.id,
    symbol: trade.symbol,
    positionSide: trade.side,
    amount: view.openAmount,
    entryPrice: view.entryPrice ?? 0,
    stopLoss: view.stopLoss,
    takeProfit: view.takeProfit,
    side: trade.side,
    entry: view.entryPrice ?? 0,
    sl: view.stopLoss,
    tp: view.takeProfit,
    size: view.openAmount,
    mode: trade.mode,
    openedAt: (trade.openedAt ?? trade.createdAt).toISOString(),
    currentPrice: view.currentPrice,
    pnlR: view.pnlR,
    pnlUsd: view.pnl,
    unrealizedPnlR: unrealizedR,
    unrealizedPnlUsd: view.unrealizedPnl,
    status: trade.status,
  };
}
