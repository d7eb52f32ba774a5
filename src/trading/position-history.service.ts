import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { CandleRepository } from '../market/candle.repository';
import { SIMULATED_EXCHANGE } from '../market/market-simulation.service';
import { requireSymbol } from '../market/symbols';
import { decimalNumber, Money } from '../platform/decimal/money';
import { ApiError } from '../platform/http/api-error';
import { Clock } from '../platform/time/clock';
import { AddClosedPositionDto, ClosedPositionDto } from './dto/position-history.dto';
import { levelHarmony, moveAlignment, Swing } from './fibonacci-harmony';
import { Trade } from './trade.entity';

const DAY_MS = 86_400_000;

/** Closed positions with seed 000's Fibonacci scores, and closed positions recorded from elsewhere. */
@Injectable()
export class PositionHistoryService {
  constructor(
    @InjectRepository(Trade) private readonly trades: Repository<Trade>,
    private readonly candles: CandleRepository,
    private readonly clock: Clock,
  ) {}

  async list(limit: number, offset: number): Promise<{ items: ClosedPositionDto[]; total: number }> {
    const [rows, total] = await this.trades.findAndCount({
      where: { status: 'CLOSED' },
      order: { closedAt: 'DESC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    const items: ClosedPositionDto[] = [];
    for (const row of rows) items.push(toClosedPositionDto(await this.scored(row)));
    return { items, total };
  }

  async add(dto: AddClosedPositionDto, createdBy: string): Promise<string> {
    const symbol = requireSymbol(dto.symbol);
    const entryTime = Date.parse(dto.entryTime);
    const exitTime = Date.parse(dto.exitTime);
    if (exitTime <= entryTime) throw ApiError.validation('exitTime: must be after entryTime');
    if (exitTime > this.clock.nowMs()) throw ApiError.validation('exitTime: must not be in the future');
    const amount = new Money(dto.contracts);
    const entryCost = amount.times(dto.entryPrice);
    const exitCost = amount.times(dto.exitPrice);
    const fees = new Money(dto.fees ?? 0);
    const gross = dto.side === 'long' ? exitCost.minus(entryCost) : entryCost.minus(exitCost);
    const id = randomUUID();
    const trade = this.trades.create({
      id,
      symbol,
      side: dto.side,
      status: 'CLOSED',
      venue: 'exchange',
      accountId: 'import',
      exchangeId: dto.exchange ?? 'external',
      mode: 'live',
      requestedAmount: amount.toFixed(),
      entryAmount: amount.toFixed(),
      entryCost: entryCost.toFixed(),
      exitAmount: amount.toFixed(),
      exitCost: exitCost.toFixed(),
      fees: fees.toFixed(),
      realizedPnl: gross.minus(fees).toFixed(),
      closeReason: 'imported',
      source: 'import',
      createdBy,
      openedAt: new Date(entryTime),
      closedAt: new Date(exitTime),
    });
    await this.trades.insert(trade);
    await this.scored(await this.trades.findOneByOrFail({ id }));
    return id;
  }

  /**
   * Closed trades imported from another platform (3Commas deals), each with its `externalId`: one
   * already imported is left as it is. Returns how many were new.
   */
  async importClosed(trades: Array<Partial<Trade>>): Promise<number> {
    if (trades.length === 0) return 0;
    const result = await this.trades
      .createQueryBuilder()
      .insert()
      .into(Trade)
      .values(trades)
      .orIgnore()
      .returning(['id'])
      .execute();
    return (result.raw as unknown[]).length;
  }

  /** Fills in the Fibonacci scores of a closed trade once, from the stored hourly candles. */
  private async scored(trade: Trade): Promise<Trade> {
    if (trade.entryHarmony !== null || !trade.openedAt || !trade.closedAt) return trade;
    const entry = Number(new Money(trade.entryCost).div(trade.entryAmount));
    const exit = Number(new Money(trade.exitCost).div(trade.exitAmount));
    const entrySwing = await this.swingBefore(trade, trade.openedAt.getTime());
    const exitSwing = await this.swingBefore(trade, trade.closedAt.getTime());
    const scores = {
      entryHarmony: levelHarmony(entry, entrySwing),
      exitHarmony: levelHarmony(exit, exitSwing),
      fibonacciAlignment: moveAlignment(entry, exit, entrySwing),
    };
    if (scores.entryHarmony === null) return trade;
    const text = (value: number | null) => (value === null ? null : String(value));
    const changes = {
      entryHarmony: text(scores.entryHarmony),
      exitHarmony: text(scores.exitHarmony),
      fibonacciAlignment: text(scores.fibonacciAlignment),
    };
    await this.trades.update({ id: trade.id }, changes);
    return { ...trade, ...changes };
  }

  private async swingBefore(trade: Trade, at: number): Promise<Swing | undefined> {
    const exchange =
      trade.venue === 'paper' || trade.source === 'import' ? SIMULATED_EXCHANGE : trade.exchangeId;
    const hours = await this.candles.range(exchange, trade.symbol, '1h', at - DAY_MS, at, 24);
    if (hours.length === 0) return undefined;
    return { high: Math.max(...hours.map((c) => c.high)), low: Math.min(...hours.map((c) => c.low)) };
  }
}

function toClosedPositionDto(trade: Trade): ClosedPositionDto {
  const score = (value: string | null) => (value === null ? null : Number(value));
  return {
    id: trade.id,
    symbol: trade.symbol,
    side: trade.side,
    entryPrice: decimalNumber(new Money(trade.entryCost).div(trade.entryAmount)),
    exitPrice: decimalNumber(new Money(trade.exitCost).div(trade.exitAmount)),
    amount: decimalNumber(trade.exitAmount),
    contracts: decimalNumber(trade.exitAmount),
    realizedPnl: decimalNumber(trade.realizedPnl),
    entryTime: (trade.openedAt ?? trade.createdAt).toISOString(),
    exitTime: (trade.closedAt ?? trade.updatedAt).toISOString(),
    entryHarmony: score(trade.entryHarmony),
    exitHarmony: score(trade.exitHarmony),
    fibonacciAlignment: score(trade.fibonacciAlignment),
    closeReason: trade.closeReason,
    source: trade.source,
    exchange: trade.exchangeId,
  };
}
