import { buildLadder } from '../dca/dca-ladder';
import type { DealSettings, TakeProfitStep } from '../dca/dca-deal.entity';
import { priceAction } from '../dca/dca-exit-rules';
import { quoteOrBase, stepsOf } from '../dca/dca-rungs';
import { Money } from '../platform/decimal/money';

// Math through a module constant: under Jest every `Math.` is a slow global lookup (see backtest-engine).
const math = Math;

export type SimulatedDealEnd = 'take_profit' | 'trailing_take_profit' | 'stop_loss' | 'timeout';

export interface SimulatedMarketSteps {
  priceStep: string;
  amountStep: string;
}

/** A value down to a step, or to the nearest step, in numbers (the replay's hot path). */
function toStepNumber(value: number, step: number, mode: 'down' | 'near'): number {
  if (!(step > 0)) return value;
  const units = value / step;
  // The epsilon keeps 0.3 / 0.1 = 2.9999999999999996 on its step.
  const whole = mode === 'down' ? math.floor(units + 1e-9) : math.round(units);
  return Number((whole * step).toFixed(12));
}

/**
 * One DCA deal replayed over candles with the live deal's rules: its ladder from `buildLadder` priced
 * from the base fill, safety limits that fill when the price reaches them (the next rests at once, so
 * every rung the price passes fills, down to maxSafetyOrders), no more buying once a take-profit step
 * sold, take-profit limits at the average entry plus each step's profit replaced after every fill, and
 * the stop loss, breakeven stop, trailing take profit and timeout of `priceAction`.
 */
export class SimulatedDeal {
  private readonly rungPrices: number[];
  private readonly rungAmounts: number[];
  private readonly steps: TakeProfitStep[];
  private readonly priceStep: number;
  private readonly amountStep: number;
  readonly baseCost: number;
  readonly basePrice: number;
  filledSafety = 0;
  /** Base held now, bought in all, and the quote spent on it (fees apart). */
  held = 0;
  bought = 0;
  cost = 0;
  proceeds = 0;
  fees = 0;
  /** Quote spent on buys, fees included, and the fees of the sells. */
  spent = 0;
  sellFees = 0;
  stepsSold = 0;
  status: 'bought' | 'ttp_activated' = 'bought';
  trailingHigh: number | null = null;
  end: { time: number; reason: SimulatedDealEnd } | null = null;
  /** The quote of its whole ladder with fees: what the replay keeps aside for it while it runs. */
  readonly reserved: number;
  private targets: number[] = [];

  constructor(
    readonly symbol: string,
    readonly openedAt: number,
    readonly settings: DealSettings,
    price: number,
    market: SimulatedMarketSteps,
    private readonly fee: number,
  ) {
    const ladder = buildLadder({ ...settings, volumeType: quoteOrBase(settings) }, String(price), market);
    this.priceStep = Number(market.priceStep);
    this.amountStep = Number(market.amountStep);
    this.rungPrices = ladder.orders.slice(1).map((order) => Number(order.price));
    this.rungAmounts = ladder.orders.slice(1).map((order) => Number(order.amount));
    this.steps = stepsOf(settings);
    this.reserved = Number(ladder.totalCost) * (1 + fee);
    const base = ladder.orders[0];
    this.basePrice = price;
    this.baseCost = Number(base.cost);
    this.buy(Number(base.amount), price);
  }

  /** The base order's size: false when it buys less than one amount step (nothing happened). */
  get started(): boolean {
    return this.bought > 0;
  }

  /** Quote in and out so far: sells − buys − fees. */
  get cashFlow(): number {
    return this.proceeds - this.spent - this.sellFees;
  }

  /** What its ladder may still buy (nothing once a take-profit step sold: its safety orders are gone). */
  get stillReserved(): number {
    return this.stepsSold > 0 || this.end ? 0 : math.max(0, this.reserved - this.spent);
  }

  get average(): number {
    return this.cost / this.bought;
  }

  private buy(amount: number, price: number): void {
    if (!(amount > 0)) return;
    this.held += amount;
    this.bought += amount;
    this.cost += amount * price;
    this.fees += amount * price * this.fee;
    this.spent += amount * price * (1 + this.fee);
    this.targets = this.steps.map((step) => this.targetOf(step.profitPercent));
  }

  private sell(amount: number, price: number): void {
    this.held -= amount;
    this.proceeds += amount * price;
    this.fees += amount * price * this.fee;
    this.sellFees += amount * price * this.fee;
  }

  /** The take-profit price of a step, to the tick: over the average entry (`total`) or the base order's cost (`base`). */
  private targetOf(profitPercent: number): number {
    const raw =
      this.settings.takeProfitType === 'base'
        ? (this.cost + (this.baseCost * profitPercent) / 100) / this.bought
        : this.average * (1 + profitPercent / 100);
    return toStepNumber(raw, this.priceStep, 'near');
  }

  /** Sells what is held at `price` and ends the deal. */
  private closeAll(time: number, price: number, reason: SimulatedDealEnd): void {
    this.sell(this.held, price);
    this.end = { time, reason };
  }

  /** The rule `priceAction` applies at a bid (the live deal's stop loss, breakeven, trailing, timeout). */
  private actionAt(bid: number, ageMs: number) {
    const steps = this.steps;
    return priceAction({
      settings: this.settings,
      status: this.status,
      trailingHigh: this.trailingHigh === null ? null : String(this.trailingHigh),
      average: new Money(this.cost).div(this.bought),
      trailingTarget: new Money(this.targets[steps.length - 1]),
      bid: new Money(bid),
      ageMs,
      stepSold: this.stepsSold > 0,
    });
  }

  /**
   * The highest price at which a falling market ends the deal, and which rule sets it: its stop loss,
   * its breakeven stop (once a step sold) or its trailing exit (the same levels `priceAction` reads).
   */
  private exitLevel(): { level: number; reason: SimulatedDealEnd } {
    const { stopLoss, stopLossToBreakeven, trailingDeviation } = this.settings;
    let exit: { level: number; reason: SimulatedDealEnd } = { level: -Infinity, reason: 'stop_loss' };
    if (stopLoss !== null) exit = { level: this.average * (1 - stopLoss / 100), reason: 'stop_loss' };
    if (stopLossToBreakeven && this.stepsSold > 0 && this.average > exit.level)
      exit = { level: this.average, reason: 'stop_loss' };
    if (this.status === 'ttp_activated' && trailingDeviation !== null && this.trailingHigh !== null) {
      const trailing = this.trailingHigh * (1 - trailingDeviation / 100);
      if (trailing > exit.level) exit = { level: trailing, reason: 'trailing_take_profit' };
    }
    return exit;
  }

  /**
   * One candle: the price goes from its open to the nearer-in-direction extreme and on to the other
   * (down first in a rising candle, up first in a falling one), then to its close; what the deal does
   * on the way, and its timeout at the close (`closeTime`).
   */
  candle(open: number, high: number, low: number, close: number, closeTime: number): void {
    if (close >= open) {
      this.fall(open, low, closeTime);
      if (!this.end) this.rise(low, high, closeTime);
      if (!this.end) this.fall(high, close, closeTime);
    } else {
      this.rise(open, high, closeTime);
      if (!this.end) this.fall(high, low, closeTime);
      if (!this.end) this.rise(low, close, closeTime);
    }
    if (!this.end && this.settings.dealTimeoutMinutes !== null) {
      const action = this.actionAt(close, closeTime - this.openedAt);
      if (action?.kind === 'close') this.closeAll(closeTime, close, action.reason);
    }
  }

  private fall(from: number, to: number, time: number): void {
    for (;;) {
      const buying = this.stepsSold === 0 && this.filledSafety < this.rungPrices.length;
      const rung = buying ? this.rungPrices[this.filledSafety] : -Infinity;
      const exit = this.exitLevel();
      if (rung >= to && rung >= exit.level) {
        // A limit buy fills at its price, or at the price the market opened below it.
        this.buy(this.rungAmounts[this.filledSafety], math.min(rung, from));
        this.filledSafety++;
        continue;
      }
      if (exit.level >= to) this.closeAll(time, math.min(exit.level, from), exit.reason);
      return;
    }
  }

  private rise(from: number, to: number, time: number): void {
    const trailing = this.settings.trailingDeviation !== null;
    while (this.stepsSold < this.steps.length && this.status === 'bought') {
      const index = this.stepsSold;
      const target = this.targets[index];
      if (target > to) break;
      const last = index === this.steps.length - 1;
      if (trailing && last) {
        // The last step trails: armed at its target, it follows the high and sells on the fall.
        this.status = 'ttp_activated';
        this.trailingHigh = math.max(target, from);
        break;
      }
      const remaining = this.steps.slice(index).reduce((sum, step) => sum + step.amountPercent, 0);
      const open = toStepNumber(this.held, this.amountStep, 'down');
      const amount = last
        ? this.held
        : toStepNumber((open * this.steps[index].amountPercent) / remaining, this.amountStep, 'down');
      this.sell(amount, math.max(target, from));
      this.stepsSold++;
      if (last || this.held <= 0) this.end = { time, reason: 'take_profit' };
      if (this.end) return;
    }
    if (this.status === 'ttp_activated') this.trailingHigh = math.max(this.trailingHigh ?? to, to);
  }

  /** Realised so far: sells − buys − fees (with what is held valued at `price` when given). */
  pnl(price = 0): number {
    return this.proceeds + this.held * price - this.cost - this.fees;
  }
}
