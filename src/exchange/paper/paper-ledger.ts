import { randomUUID } from 'node:crypto';
import { EntityManager, In } from 'typeorm';
import { SimulatedPair } from '../../market/simulated-universe';
import { Money } from '../../platform/decimal/money';
import { Clock } from '../../platform/time/clock';
import { ExchangeFailure } from '../exchange-errors';
import { BookFill } from './book-walk';
import { PaperBalance } from './paper-balance.entity';
import { PaperFill } from './paper-fill.entity';
import { PaperOrder } from './paper-order.entity';
import { money, PaperFees, text } from './paper-money';

/**
 * The paper account's books: what an order may spend, the balances its fills move, and what resting
 * orders hold. In the caller's transaction: `lock` reads the pair's balances, the booking methods
 * change them (and the order) in memory, and `write` stores the result in two statements.
 */
export class PaperLedger {
  constructor(
    private readonly accountId: string,
    private readonly clock: Clock,
    private readonly fees: PaperFees,
  ) {}

  /** What each locked balance held when it was read: `write` stores only those that changed. */
  private readonly lockedAs = new WeakMap<PaperBalance, string>();

  /**
   * The pair's two balances, locked for the transaction. A missing one is created at zero first and
   * then locked like the other: left to be inserted at the end, two first trades of a coin would each
   * start it from zero, and the later write would wipe out the earlier (a transaction that waited for
   * the quote balance's lock does not see the row the other one inserted meanwhile).
   */
  async lock(manager: EntityManager, pair: SimulatedPair): Promise<Map<string, PaperBalance>> {
    const currencies = [pair.base, pair.quote];
    const read = () =>
      manager.find(PaperBalance, {
        where: { accountId: this.accountId, currency: In(currencies) },
        lock: { mode: 'pessimistic_write' },
      });
    let rows = await read();
    if (rows.length < currencies.length) {
      const missing = currencies.filter((currency) => !rows.some((row) => row.currency === currency));
      await manager
        .createQueryBuilder()
        .insert()
        .into(PaperBalance)
        .values(missing.map((currency) => ({ accountId: this.accountId, currency, free: '0', used: '0' })))
        .orIgnore()
        .updateEntity(false)
        .execute();
      rows = await read();
    }
    for (const row of rows) this.lockedAs.set(row, stateOf(row));
    return new Map(rows.map((row) => [row.currency, row]));
  }

  /** Refuses, before anything changes, an order the free balance cannot pay for. */
  assertAffordable(
    pair: SimulatedPair,
    side: 'buy' | 'sell',
    fills: BookFill[],
    balances: Map<string, PaperBalance>,
    resting?: { amount: Money; price: Money; feeRate: string },
  ): void {
    if (side === 'buy') {
      const takerCost = fills.reduce((sum, fill) => sum.plus(fill.price.times(fill.amount)), money(0));
      const filledAmount = fills.reduce((sum, fill) => sum.plus(fill.amount), money(0));
      const restingCost = resting
        ? resting.amount.minus(filledAmount).times(resting.price).times(money(1).plus(resting.feeRate))
        : money(0);
      const needed = takerCost.times(money(1).plus(this.fees.taker)).plus(restingCost);
      const free = money(balances.get(pair.quote)!.free);
      if (needed.gt(free))
        throw new ExchangeFailure(
          'insufficient_funds',
          `needs ${text(needed)} ${pair.quote}, ${text(free)} free`,
        );
    } else {
      const needed = resting ? resting.amount : fills.reduce((sum, fill) => sum.plus(fill.amount), money(0));
      const free = money(balances.get(pair.base)!.free);
      if (needed.gt(free))
        throw new ExchangeFailure(
          'insufficient_funds',
          `needs ${text(needed)} ${pair.base}, ${text(free)} free`,
        );
    }
  }

  /**
   * Books fills in memory: the balances and the order's totals move, and the fill rows to insert are
   * returned; `write` stores them with the balances.
   */
  applyFills(
    order: PaperOrder,
    pair: SimulatedPair,
    fills: BookFill[],
    taker: boolean,
    balances: Map<string, PaperBalance>,
  ): PaperFill[] {
    const feeRate = money(taker ? this.fees.taker : this.fees.maker);
    const base = balances.get(pair.base)!;
    const quote = balances.get(pair.quote)!;
    const at = this.clock.now();
    const rows = fills.map((fill) => {
      const cost = fill.price.times(fill.amount);
      const fee = cost.times(feeRate);
      if (order.side === 'buy') {
        quote.free = text(money(quote.free).minus(cost).minus(fee));
        base.free = text(money(base.free).plus(fill.amount));
      } else {
        base.free = text(money(base.free).minus(fill.amount));
        quote.free = text(money(quote.free).plus(cost).minus(fee));
      }
      order.filled = text(money(order.filled).plus(fill.amount));
      order.cost = text(money(order.cost).plus(cost));
      order.fee = text(money(order.fee).plus(fee));
      return Object.assign(new PaperFill(), {
        id: randomUUID(),
        orderId: order.id,
        accountId: this.accountId,
        symbol: pair.symbol,
        side: order.side,
        price: text(fill.price),
        amount: text(fill.amount),
        cost: text(cost),
        fee: text(fee),
        feeCurrency: pair.quote,
        taker,
        at,
      });
    });
    if (money(order.filled).gte(order.amount)) order.status = 'closed';
    return rows;
  }

  /**
   * Holds in memory what a resting order may spend: quote for a buy (at its limit with the maker fee,
   * or at its stop with the taker fee), base for a sell.
   */
  reserve(order: PaperOrder, pair: SimulatedPair, balances: Map<string, PaperBalance>): void {
    const remaining = money(order.amount).minus(order.filled);
    const currency = order.side === 'buy' ? pair.quote : pair.base;
    const amount =
      order.side === 'buy'
        ? order.type === 'stop'
          ? remaining.times(order.stopPrice!).times(money(1).plus(this.fees.taker))
          : remaining.times(order.price!).times(money(1).plus(this.fees.maker))
        : remaining;
    const balance = balances.get(currency)!;
    balance.free = text(money(balance.free).minus(amount));
    balance.used = text(money(balance.used).plus(amount));
    order.reserved = text(amount);
  }

  /** Frees in memory what a resting order held. */
  release(order: PaperOrder, pair: SimulatedPair, balances: Map<string, PaperBalance>): void {
    const held = money(order.reserved);
    if (held.isZero()) return;
    const balance = balances.get(order.side === 'buy' ? pair.quote : pair.base)!;
    balance.free = text(money(balance.free).plus(held));
    balance.used = text(money(balance.used).minus(held));
    order.reserved = '0';
  }

  /**
   * Stores what the booking changed, in the caller's transaction: the fill rows (one statement) and
   * the balances that changed (one statement).
   */
  async write(
    manager: EntityManager,
    balances: Map<string, PaperBalance>,
    fills: PaperFill[] = [],
  ): Promise<void> {
    if (fills.length > 0)
      await manager.createQueryBuilder().insert().into(PaperFill).values(fills).updateEntity(false).execute();
    const changed = [...balances.values()].filter(
      (balance) => this.lockedAs.get(balance) !== stateOf(balance),
    );
    if (changed.length === 0) return;
    await manager
      .createQueryBuilder()
      .insert()
      .into(PaperBalance)
      .values(changed.map(({ accountId, currency, free, used }) => ({ accountId, currency, free, used })))
      .orUpdate(['free', 'used'], ['account_id', 'currency'])
      .updateEntity(false)
      .execute();
    for (const balance of changed) this.lockedAs.set(balance, stateOf(balance));
  }
}

function stateOf(balance: PaperBalance): string {
  return `${balance.free}/${balance.used}`;
}
