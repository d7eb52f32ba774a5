import type { DealSettings } from '../dca/dca-deal.entity';
import type { Candle } from '../market/market-types';
import type { DcaBotConfig } from '../presets/preset-config';
import { DcaBacktestSymbol, runDcaBacktest } from './dca-backtest-engine';

const MINUTE = 60_000;
const FEE = 0.001;
const MARKET = { priceStep: '0.01', amountStep: '0.00001' };

const deal: DealSettings = {
  baseOrderVolume: 10,
  safetyOrderVolume: 10,
  volumeType: 'quote',
  maxSafetyOrders: 3,
  activeSafetyOrders: 1,
  priceDeviation: 1,
  volumeScale: 1,
  stepScale: 1,
  takeProfit: 1,
  takeProfitType: 'total',
  takeProfitSteps: null,
  stopLossToBreakeven: false,
  startOrderType: 'market',
  stopLoss: null,
  trailingDeviation: null,
  dealTimeoutMinutes: null,
};

function bot(changes: Partial<DealSettings> = {}, config: Partial<DcaBotConfig> = {}): DcaBotConfig {
  return {
    deal: { ...deal, ...changes },
    maxActiveDeals: 5,
    cooldownSeconds: 86_400,
    startCondition: 'asap',
    ...config,
  };
}

/** Candles one minute apart from [open, high, low, close]. */
function series(...prices: Array<[number, number, number, number]>): Candle[] {
  return prices.map(([open, high, low, close], minute) => ({
    openTime: minute * MINUTE,
    open,
    high,
    low,
    close,
    volume: 1,
  }));
}

function replay(symbols: DcaBacktestSymbol[], dca: DcaBotConfig, startingBalance = 1000) {
  const length = Math.max(...symbols.map((symbol) => symbol.candles.length));
  return runDcaBacktest(symbols, {
    from: 0,
    to: length * MINUTE,
    span: MINUTE,
    dca,
    startingBalance,
    takerFee: FEE,
  });
}

const fallAndRecovery = series(
  [100, 100, 100, 100], // the deal starts at this close: 0.1 bought at 100
  [100, 100, 98.5, 98.6], // falls through the first safety order (99), not the second (98)
  [98.6, 100.2, 98.6, 100], // up, short of the target
  [100, 100.6, 99.9, 100.5], // reaches average + 1 %
);

describe('DCA backtest (the live deal rules over candles)', () => {
  it('fills the safety orders the price passes, takes profit at the average + target, with the PnL of the fills', async () => {
    const { deals, metrics } = await replay(
      [{ symbol: 'A/USDT', candles: fallAndRecovery, market: MARKET }],
      bot(),
    );
    expect(deals).toHaveLength(1);
    const [only] = deals;
    const bought = [
      [0.1, 100],
      [0.10101, 99],
    ];
    const amount = bought.reduce((sum, [size]) => sum + size, 0);
    const cost = bought.reduce((sum, [size, price]) => sum + size * price, 0);
    const target = Math.round(((cost / amount) * 1.01) / 0.01) * 0.01;
    expect(only).toMatchObject({
      symbol: 'A/USDT',
      openedAt: MINUTE,
      closedAt: 4 * MINUTE,
      status: 'completed',
      closeReason: 'take_profit',
      safetyOrdersFilled: 1,
    });
    expect(only.amount).toBeCloseTo(amount, 10);
    expect(only.averageEntry).toBeCloseTo(cost / amount, 10);
    const proceeds = amount * target;
    const fees = (cost + proceeds) * FEE;
    expect(only.pnl).toBeCloseTo(proceeds - cost - fees, 9);
    expect(metrics).toMatchObject({ deals: 1, closedDeals: 1, openDeals: 0, winRate: 1, avgSafetyOrders: 1 });
    expect(metrics.closedBy.take_profit).toBe(1);
    expect(metrics.finalEquity).toBeCloseTo(1000 + only.pnl, 8);
    expect(metrics.maxCapitalInUse).toBeCloseTo(cost, 8);
    expect(metrics.longestDealMinutes).toBe(3);
    // The lowest equity: at 98.5 holding both buys, from a peak of the starting balance.
    const lowest = 1000 - cost - cost * FEE + amount * 98.5;
    expect(metrics.maxDrawdown).toBeCloseTo((1000 - lowest) / 1000, 8);
  });

  it('sells at the stop loss when the price falls that far below the average', async () => {
    const candles = series([100, 100, 100, 100], [100, 100, 90, 91]);
    const { deals, metrics } = await replay(
      [{ symbol: 'A/USDT', candles, market: MARKET }],
      bot({ maxSafetyOrders: 1, stopLoss: 3 }),
    );
    const cost = 10 + 0.10101 * 99;
    expect(deals[0]).toMatchObject({
      status: 'stop_loss_finished',
      closeReason: 'stop_loss',
      safetyOrdersFilled: 1,
    });
    // Sold at the average − 3 %: what was bought, at 97 % of its cost.
    const proceeds = cost * 0.97;
    expect(deals[0].pnl).toBeCloseTo(proceeds - cost - (cost + proceeds) * FEE, 9);
    expect(metrics.closedBy.stop_loss).toBe(1);
    expect(metrics.winRate).toBe(0);
  });

  it('trails the take profit: armed at the target, sold when the price falls trailingDeviation from its high', async () => {
    const candles = series([100, 100, 100, 100], [100, 103, 100, 103], [103, 103, 101, 101.5]);
    const { deals } = await replay(
      [{ symbol: 'A/USDT', candles, market: MARKET }],
      bot({ trailingDeviation: 1 }),
    );
    expect(deals[0]).toMatchObject({ closeReason: 'trailing_take_profit', safetyOrdersFilled: 0 });
    const proceeds = 0.1 * 103 * 0.99;
    expect(deals[0].pnl).toBeCloseTo(proceeds - 10 - (10 + proceeds) * FEE, 9);
  });

  it('starts one deal per pair up to maxActiveDeals, and none the balance cannot fund in full', async () => {
    const flat = series([100, 100, 100, 100], [100, 100, 100, 100]);
    const pairs = ['A/USDT', 'B/USDT', 'C/USDT'].map((symbol) => ({ symbol, candles: flat, market: MARKET }));
    const limited = await replay(pairs, bot({}, { maxActiveDeals: 2 }));
    expect(limited.deals.map((row) => row.symbol)).toEqual(['A/USDT', 'B/USDT']);
    expect(limited.metrics.openDeals).toBe(2);
    // Each ladder needs 40 quote and fees: 100 funds two of them.
    const poor = await replay(pairs, bot(), 100);
    expect(poor.deals).toHaveLength(2);
    expect(poor.metrics.unfundedStarts).toBe(2); // C/USDT, at both closes
  });

  it('waits out the cooldown before a pair gets its next deal', async () => {
    const candles = series(
      ...fallAndRecovery.map((c) => [c.open, c.high, c.low, c.close] as [number, number, number, number]),
      [100.5, 100.5, 100.5, 100.5],
      [100.5, 100.5, 100.5, 100.5],
    );
    const market = { symbol: 'A/USDT', candles, market: MARKET };
    expect(
      (await replay([market], bot({}, { cooldownSeconds: 120 }))).deals.map((row) => row.openedAt),
    ).toEqual([MINUTE, 6 * MINUTE]);
    expect(
      (await replay([market], bot({}, { cooldownSeconds: 0 }))).deals.map((row) => row.openedAt),
    ).toEqual([MINUTE, 4 * MINUTE]);
  });

  it('sells in take-profit steps and the rest at breakeven once a step sold', async () => {
    const candles = series([100, 100, 100, 100], [100, 101.2, 100, 101.2], [101.2, 101.2, 99, 99]);
    const { deals } = await replay(
      [{ symbol: 'A/USDT', candles, market: MARKET }],
      bot({
        takeProfitSteps: [
          { amountPercent: 50, profitPercent: 1 },
          { amountPercent: 50, profitPercent: 3 },
        ],
        stopLossToBreakeven: true,
      }),
    );
    // Half (0.05) at 101, then the price falls back to the average (100): the rest sells there.
    expect(deals[0]).toMatchObject({
      status: 'stop_loss_finished',
      closeReason: 'stop_loss',
      closedAt: 3 * MINUTE,
    });
    const proceeds = 0.05 * 101 + 0.05 * 100;
    expect(deals[0].pnl).toBeCloseTo(proceeds - 10 - (10 + proceeds) * FEE, 9);
  });

  it("counts no drawdown for a deal bought at a candle's close from that candle's low", async () => {
    const { metrics } = await replay(
      [{ symbol: 'A/USDT', candles: series([100, 100, 90, 100], [100, 100, 100, 100]), market: MARKET }],
      bot(),
    );
    // Only the base order's fee is lost: 10 × 0.001 of 1,000.
    expect(metrics.maxDrawdown).toBeCloseTo(0.00001, 9);
  });
});
