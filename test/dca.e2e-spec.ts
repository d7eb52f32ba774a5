import Decimal from 'decimal.js';
import { DataSource } from 'typeorm';
import { buildLadder } from '../src/dca/dca-ladder';
import { DcaDeals } from '../src/dca/dca-deals.service';
import { warmupCandles } from '../src/engine/bot-runtime';
import { EngineService } from '../src/engine/engine.service';
import { CandleRepository } from '../src/market/candle.repository';
import { MINUTE_MS } from '../src/market/simulated-market';
import { SIMULATED_UNIVERSE } from '../src/market/simulated-universe';
import { aggregateCandles, TIMEFRAME_MS } from '../src/market/timeframes';
import { BUILTIN_PRESETS } from '../src/presets/builtin-presets';
import { rsiMeanReversion } from '../src/strategies/builtin-strategies';
import { resolveParameters } from '../src/strategies/strategy';
import { PaperExchangeService } from '../src/exchange/paper/paper-exchange.service';
import { MarketSimulationService, SIMULATED_EXCHANGE } from '../src/market/market-simulation.service';
import { Role } from '../src/platform/access/role';
import { call, createKey, loginAdmin } from './support/auth-client';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';

interface PlanOrder {
  index: number;
  deviation: number;
  price: number;
  amount: number;
  volume: number;
  cost: number;
  averageEntry: number;
  takeProfitPrice: number;
}
interface Plan {
  symbol: string;
  price: number;
  priceStep: number;
  amountStep: number;
  orders: PlanOrder[];
  totalCapital: number;
  totalCost: number;
  maxDeviation: number;
  freeBalance: number;
  fundable: boolean;
  settings: Record<string, unknown>;
}

/** One app for the file, on a clock the deal test moves hours ahead (so API keys, not tokens). */
const clock = new ManualClock(Date.UTC(2026, 9, 26, 6));
let t: TestApp;
let reader: string;
let trader: string;
let admin: string;

beforeAll(async () => {
  t = await startTestApp(
    {
      // Deals trade on prices and books; the candles a test reads it stores itself (a clock days ahead
      // would have the simulation store every skipped minute of its 30 pairs meanwhile).
      MARKET_LIVE_CANDLES: 'false',
      RATE_LIMIT_READ_ONLY: '100000',
      RATE_LIMIT_CONTROL: '100000',
      RATE_LIMIT_ADMIN: '100000',
    },
    { clock },
  );
  const root = (await loginAdmin(t)).accessToken;
  admin = (await createKey(t, root, { name: 'dca admin', permissions: [Role.ADMIN] })).apiKey;
  trader = (await createKey(t, root, { name: 'dca trader', permissions: [Role.CONTROL] })).apiKey;
  reader = (await createKey(t, root, { name: 'dca reader', permissions: [Role.READ_ONLY] })).apiKey;
});
afterAll(async () => {
  await t?.close();
});

describe('DCA (/api/dca)', () => {
  const plan = (query: string) => call<Plan>(t, 'GET', `/api/dca/plan?${query}`, { apiKey: reader });

  it('plans the ladder of the formula at the current price, to the tick and step, with its total capital', async () => {
    const response = await plan(
      'symbol=BTC/USDT&baseOrderVolume=10&safetyOrderVolume=20&maxSafetyOrders=5&priceDeviation=1.5&stepScale=1.2&volumeScale=1.5&takeProfit=2',
    );
    expect(response.status).toBe(200);
    const { price, orders, priceStep, amountStep } = response.body;
    const toTick = (value: number) => Math.round(value / priceStep) * priceStep;
    const downToStep = (value: number) => Math.floor(value / amountStep + 1e-9) * amountStep;
    expect(price).toBeGreaterThan(0);
    expect(orders).toHaveLength(6);
    const deviations = [0, 1.5, 3.3, 5.46, 8.052, 11.1624];
    const volumes = [10, 20, 30, 45, 67.5, 101.25];
    orders.forEach((order, n) => {
      expect(order.index).toBe(n);
      expect(order.deviation).toBeCloseTo(deviations[n], 6);
      expect(order.price).toBeCloseTo(toTick(price * (1 - deviations[n] / 100)), 6);
      expect(order.volume).toBeCloseTo(volumes[n], 8);
      expect(order.amount).toBeCloseTo(downToStep(volumes[n] / order.price), 8);
      expect(order.cost).toBeCloseTo(order.amount * order.price, 6);
    });
    expect(response.body.totalCapital).toBe(10 + (20 * (1.5 ** 5 - 1)) / 0.5);
    expect(response.body.maxDeviation).toBeCloseTo(11.1624, 6);
    const amount = orders.reduce((sum, order) => sum + order.amount, 0);
    const cost = orders.reduce((sum, order) => sum + order.cost, 0);
    expect(orders[5].averageEntry).toBeCloseTo(cost / amount, 4);
    expect(Math.abs(orders[5].takeProfitPrice - (cost / amount) * 1.02)).toBeLessThanOrEqual(
      priceStep / 2 + 1e-6,
    );
    expect(response.body).toMatchObject({ freeBalance: 10000, fundable: true });
  });

  it('fills absent settings from the dca runtime settings, says when the balance cannot fund the ladder, and refuses bad input', async () => {
    const defaults = await plan('symbol=ETH/USDT');
    expect(defaults.status).toBe(200);
    expect(defaults.body.settings).toMatchObject({
      baseOrderVolume: 100,
      safetyOrderVolume: 100,
      maxSafetyOrders: 5,
      priceDeviation: 2,
      volumeScale: 1.5,
      stepScale: 1,
      takeProfitType: 'total',
      volumeType: 'quote',
    });
    const tooBig = await plan(
      'symbol=ETH/USDT&baseOrderVolume=1000&safetyOrderVolume=1000&maxSafetyOrders=10&volumeScale=2',
    );
    expect(tooBig.body).toMatchObject({ fundable: false, totalCapital: 1000 + 1000 * 1023 });
    const percent = await plan(
      'symbol=ETH/USDT&volumeType=percent&baseOrderVolume=1&safetyOrderVolume=2&maxSafetyOrders=1',
    );
    expect(percent.body.orders.map((order) => order.volume)).toEqual([100, 200]);
    for (const bad of [
      'symbol=ETH/USDT&volumeScale=0',
      'symbol=ETH/USDT&maxSafetyOrders=201',
      'symbol=NOPE/USDT',
      'volumeScale=1',
    ])
      expect((await plan(bad)).status).toBe(400);
    expect((await call(t, 'GET', '/api/dca/plan?symbol=BTC/USDT')).status).toBe(401);
  });

  it('gives a trade opened with dcaEnabled a ladder from the dca settings, executes manual attempts within maxDcaAttempts, and reports them (seed 004)', async () => {
    interface Status {
      enabled: boolean;
      activeTrades: number;
      totalAttempts: number;
      successfulAttempts: number;
      successRate: string;
      totalVolume: number;
      lastExecution: string | null;
    }
    expect((await call<Status>(t, 'GET', '/api/dca/status', { apiKey: reader })).body).toMatchObject({
      enabled: false,
      totalAttempts: 0,
      successRate: '0%',
      lastExecution: null,
    });
    const open = async () => {
      const opened = await call<{ id: string }>(t, 'POST', '/api/trades', {
        apiKey: trader,
        body: { symbol: 'ETH/USDT', side: 'buy', amount: 0.01, dcaEnabled: true, maxDcaAttempts: 2 },
      });
      expect(opened.status).toBe(201);
      return opened.body.id;
    };
    const disabled = await call<{ error: string }>(t, 'POST', '/api/dca/execute', {
      apiKey: trader,
      body: { tradeId: await open(), reason: 'manual_dca' },
    });
    expect(disabled.status).toBe(409);
    expect(disabled.body.error).toBe('DCA_DISABLED');

    const enabled = await call(t, 'PUT', '/api/config', {
      apiKey: admin,
      body: { dca: { enabled: true, baseVolume: 20, stepPercent: 5 } },
    });
    expect(enabled.status).toBe(200);
    const tradeId = await open();
    interface Deal {
      id: string;
      tradeId: string;
      status: string;
      ladder: Array<{ kind: string; status: string | null; plannedPrice: number | null }>;
    }
    let deal: Deal | undefined;
    for (let tries = 0; tries < 100 && !deal?.ladder.some((rung) => rung.status === 'OPEN'); tries++) {
      const listed = await call<{ items: Deal[] }>(t, 'GET', '/api/dca/deals?symbol=ETH/USDT', {
        apiKey: reader,
      });
      const found = listed.body.items.find((item) => item.tradeId === tradeId);
      deal = found && (await call<Deal>(t, 'GET', `/api/dca/deals/${found.id}`, { apiKey: reader })).body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(deal?.status).toBe('bought');
    const safety = deal!.ladder.filter((rung) => rung.kind === 'safety');
    expect(safety.map((rung) => rung.status)).toEqual(['OPEN', null]);
    // No take-profit order of its own: the trade keeps its exits.
    expect(deal!.ladder.filter((rung) => rung.kind === 'take_profit')).toEqual([]);

    clock.ms += 1000; // the manual attempt comes a second after the safety order
    const executed = await call<{
      dcaAttempt: number;
      price: number;
      newAverageEntry: number;
      success: boolean;
      volume: number;
    }>(t, 'POST', '/api/dca/execute', { apiKey: trader, body: { tradeId, volume: '0.01' } });
    expect(executed.status).toBe(200);
    expect(executed.body).toMatchObject({ dcaAttempt: 2, success: true, volume: 0.01 });
    expect(executed.body.price).toBeGreaterThan(0);
    expect(executed.body.newAverageEntry).toBeGreaterThan(0);
    const beyond = await call(t, 'POST', '/api/dca/execute', { apiKey: trader, body: { tradeId } });
    expect(beyond.status).toBe(409);
    expect((await call(t, 'POST', '/api/dca/execute', { apiKey: reader, body: { tradeId } })).status).toBe(
      403,
    );

    const history = await call<{
      dcaAttempts: Array<{ attempt: number; success: boolean; tradeId: string }>;
      count: number;
      successRate: string;
    }>(t, 'GET', `/api/dca/history?tradeId=${tradeId}`, { apiKey: reader });
    expect(history.body.count).toBe(2);
    expect(history.body.dcaAttempts.map((attempt) => [attempt.attempt, attempt.success])).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(history.body.successRate).toBe('50%');
    const status = (await call<Status>(t, 'GET', '/api/dca/status', { apiKey: reader })).body;
    expect(status).toMatchObject({
      enabled: true,
      totalAttempts: 2,
      successfulAttempts: 1,
      successRate: '50%',
    });
    expect(status.activeTrades).toBe(2);
    expect(status.totalVolume).toBeGreaterThan(0);
    expect(status.lastExecution).not.toBeNull();
    const detail = await call<{ dcaHistory: unknown[]; dcaSuccessRate: string }>(
      t,
      'GET',
      `/api/trades/${tradeId}`,
      {
        apiKey: reader,
      },
    );
    expect(detail.body.dcaHistory).toHaveLength(2);
    expect(detail.body.dcaSuccessRate).toBe('50%');
    const metrics = (await call<string>(t, 'GET', '/api/metrics/trading', { apiKey: reader })).body;
    expect(metrics).toMatch(/tradeplane_dca_attempts_total\{[^}]*outcome="filled"[^}]*\} 1/);
    expect(metrics).toMatch(/tradeplane_dca_deals\{[^}]*status="bought"[^}]*\} 1/);
    await call(t, 'PUT', '/api/config', { apiKey: admin, body: { dca: { enabled: false } } });
  });
});

/** The moments a DCA deal on BTC/USDT meets its rungs, found on the simulated market's own quotes. */
interface Scenario {
  start: number;
  fills: number[];
  takeProfitAt: number;
}

describe('a DCA deal on paper, driven by the clock through a fall and a recovery', () => {
  const DAY = 86_400_000;
  /** The search's resolution: the matcher is moved to these moments. */
  const STEP = 30_000;
  const settings = {
    baseOrderVolume: 50,
    safetyOrderVolume: 50,
    maxSafetyOrders: 5,
    activeSafetyOrders: 5,
    priceDeviation: 0.4,
    stepScale: 1,
    volumeScale: 1.5,
    takeProfit: 0.4,
  };

  /**
   * From a start, the first moments (10 s apart) the ask reaches safety orders 1, 2 and 3 without
   * reaching the 4th, then the bid reaches the take profit of those fills: a fall, then a recovery.
   */
  function findScenario(priceStep: string, amountStep: string): Scenario {
    const quotes = t.app.get(MarketSimulationService).quotes;
    const ask = (ms: number) => Number(quotes.orderBook(0, ms, 1).asks[0][0]);
    const bid = (ms: number) => Number(quotes.orderBook(0, ms, 1).bids[0][0]);
    for (let start = clock.ms; start < clock.ms + 20 * DAY; start += 3_600_000) {
      const ladder = buildLadder(
        { ...settings, volumeType: 'quote', takeProfitType: 'total' },
        String(ask(start)),
        { priceStep, amountStep },
      );
      const prices = ladder.orders.map((order) => Number(order.price));
      const fills: number[] = [];
      let at = start + STEP;
      for (; at < start + 2 * DAY && fills.length < 3; at += STEP) {
        const now = ask(at);
        if (now <= prices[fills.length + 2]) break; // two rungs at once: not this scenario
        if (now <= prices[fills.length + 1]) fills.push(at);
      }
      if (fills.length < 3) continue;
      const target = Number(ladder.orders[3].takeProfitPrice);
      for (; at < start + 3 * DAY; at += STEP) {
        if (ask(at) <= prices[4]) break;
        if (bid(at) >= target) return { start, fills, takeProfitAt: at };
      }
    }
    throw new Error('no fall and recovery within 20 days: pick another start');
  }

  it('runs a DCA bot whose deal fills three safety orders, takes profit at the average + target, cancels the rest, with PnL from the fills to the cent', async () => {
    const plan = await call<Plan>(t, 'GET', '/api/dca/plan?symbol=BTC/USDT', { apiKey: reader });
    const scenario = findScenario(String(plan.body.priceStep), String(plan.body.amountStep));
    clock.ms = scenario.start;
    const preset = await call(t, 'POST', '/api/presets', {
      apiKey: admin,
      body: {
        name: 'dca_fall_recovery',
        kind: 'dca',
        scannerConfig: { universe: ['BTC/USDT'] },
        dca: { deal: settings, maxActiveDeals: 1, cooldownSeconds: 3600, startCondition: 'asap' },
      },
    });
    expect(preset.status).toBe(201);
    const bot = await call<{ id: string }>(t, 'POST', '/api/bots', {
      apiKey: trader,
      body: {
        name: 'dca-fall-recovery',
        preset: 'dca_fall_recovery',
        mode: 'paper',
        capital: 5000,
        start: true,
      },
    });
    expect(bot.status).toBe(201);
    await t.app.get(EngineService).tick();
    const deals = await call<{ items: Array<{ id: string; tradeId: string; symbol: string }> }>(
      t,
      'GET',
      `/api/dca/deals?botId=${bot.body.id}`,
      { apiKey: reader },
    );
    expect(deals.body.items.map((deal) => deal.symbol)).toEqual(['BTC/USDT']);
    const started = { body: deals.body.items[0] };
    const id = started.body.id;
    const detail = () =>
      call<{
        status: string;
        safetyOrdersFilled: number;
        averageEntry: number;
        takeProfitPrice: number;
        realizedPnl: number;
        closeReason: string | null;
        ladder: Array<{
          kind: string;
          index: number;
          status: string | null;
          price: number | null;
          plannedPrice: number | null;
        }>;
      }>(t, 'GET', `/api/dca/deals/${id}`, { apiKey: reader });
    const until = async (done: (deal: Awaited<ReturnType<typeof detail>>['body']) => boolean) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const deal = (await detail()).body;
        if (done(deal)) return deal;
        if (Date.now() > deadline) throw new Error(`deal stuck: ${JSON.stringify(deal)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const resting = (deal: Awaited<ReturnType<typeof detail>>['body']) =>
      deal.ladder.filter((rung) => rung.kind === 'safety' && rung.status === 'OPEN').length;
    const bought = await until(
      (deal) => deal.status === 'bought' && resting(deal) === 5 && deal.takeProfitPrice !== null,
    );
    expect(
      bought.ladder.filter((rung) => rung.kind === 'safety').map((rung) => rung.plannedPrice),
    ).toHaveLength(5);

    const matcher = t.app.get(PaperExchangeService);
    for (const [n, at] of scenario.fills.entries()) {
      clock.ms = at;
      await matcher.matchAll();
      await until(
        (deal) =>
          deal.safetyOrdersFilled === n + 1 &&
          deal.ladder.some(
            (rung) => rung.kind === 'take_profit' && rung.index === n + 2 && rung.status === 'OPEN',
          ),
      );
    }
    const beforeTakeProfit = (await detail()).body;
    clock.ms = scenario.takeProfitAt;
    await matcher.matchAll();
    const done = await until((deal) => deal.status === 'completed');
    expect(done).toMatchObject({ safetyOrdersFilled: 3, closeReason: 'take_profit' });

    // The average entry is the fill-weighted mean of the buys, from the fills table.
    const fills = await t.app
      .get(DataSource)
      .query<Array<{ side: string; price: string; amount: string; cost: string; fee_quote: string }>>(
        `SELECT o.side, f.price, f.amount, f.cost, f.fee_quote FROM fills f JOIN orders o ON o.id = f.order_id WHERE o.trade_id = $1`,
        [started.body.tradeId],
      );
    const buys = fills.filter((fill) => fill.side === 'buy');
    const sells = fills.filter((fill) => fill.side === 'sell');
    expect(buys).toHaveLength(4);
    const sum = (rows: typeof fills, pick: (row: (typeof fills)[number]) => string) =>
      rows.reduce((total, row) => total.plus(pick(row)), new Decimal(0));
    const average = sum(buys, (row) => row.cost).div(sum(buys, (row) => row.amount));
    expect(done.averageEntry).toBeCloseTo(average.toNumber(), 6);
    // The take profit sold at the average + 0.4 %, to the tick, all in one order.
    expect(beforeTakeProfit.takeProfitPrice).toBeCloseTo(average.times(1.004).toNumber(), 0);
    expect(sells.map((row) => Number(row.price))).toEqual([beforeTakeProfit.takeProfitPrice]);
    // Safety orders 4 and 5 were cancelled.
    expect(done.ladder.filter((rung) => rung.kind === 'safety').map((rung) => rung.status)).toEqual([
      'FILLED',
      'FILLED',
      'FILLED',
      'CANCELED',
      'CANCELED',
    ]);
    const pnl = sum(sells, (row) => row.cost)
      .minus(sum(buys, (row) => row.cost))
      .minus(sum(fills, (row) => row.fee_quote));
    expect(Math.abs(done.realizedPnl - pnl.toNumber())).toBeLessThan(0.005);
    expect(done.realizedPnl).toBeGreaterThan(0);
    // The pair cools down for an hour after its deal: the bot starts none meanwhile, then the next.
    await t.app.get(EngineService).tick();
    const listed = () =>
      call<{ total: number }>(t, 'GET', `/api/dca/deals?botId=${bot.body.id}`, { apiKey: reader });
    expect((await listed()).body.total).toBe(1);
    clock.ms += 3_600_000;
    await t.app.get(EngineService).tick();
    expect((await listed()).body.total).toBe(2);
    const stopped = await call(t, 'POST', `/api/bots/${bot.body.id}/command`, {
      apiKey: trader,
      body: { command: 'panic_exit' },
    });
    expect(stopped.status).toBe(200);
    expect((await listed()).body.total).toBe(2);
    const second = await call<{ items: Array<{ status: string; closeReason: string }> }>(
      t,
      'GET',
      `/api/dca/deals?botId=${bot.body.id}&status=panic_sold`,
      { apiKey: reader },
    );
    expect(second.body.items).toMatchObject([{ status: 'panic_sold', closeReason: 'panic_exit' }]);
  });

  it('sells in take-profit steps, stops buying after the first, and moves the stop to breakeven', async () => {
    const plan = await call<Plan>(t, 'GET', '/api/dca/plan?symbol=BTC/USDT', { apiKey: reader });
    const quotes = t.app.get(MarketSimulationService).quotes;
    const ask = (ms: number) => Number(quotes.orderBook(0, ms, 1).asks[0][0]);
    const bid = (ms: number) => Number(quotes.orderBook(0, ms, 1).bids[0][0]);
    // A rise through the first step (+0.3 %), then a fall back under the entry before the second (+0.8 %).
    let scenario: { start: number; firstStep: number; breakeven: number } | undefined;
    for (let start = clock.ms + DAY; !scenario && start < clock.ms + 40 * DAY; start += 3_600_000) {
      const entry = ask(start);
      let firstStep = 0;
      for (let at = start + STEP; at < start + DAY; at += STEP) {
        if (ask(at) <= entry * 0.96) break; // a safety order would fill
        if (!firstStep) {
          if (bid(at) >= entry * 1.003 * 1.0005) firstStep = at;
          continue;
        }
        if (bid(at) >= entry * 1.008 * 0.9995) break;
        if (bid(at) <= entry * 0.9995) {
          scenario = { start, firstStep, breakeven: at };
          break;
        }
      }
    }
    if (!scenario) throw new Error('no rise and fall back within 40 days: pick other steps');
    clock.ms = scenario.start;
    const started = await call<{ id: string; tradeId: string }>(t, 'POST', '/api/dca/deals', {
      apiKey: trader,
      body: {
        symbol: 'BTC/USDT',
        baseOrderVolume: 60,
        safetyOrderVolume: 20,
        maxSafetyOrders: 2,
        activeSafetyOrders: 2,
        priceDeviation: 5,
        takeProfitSteps: [
          { amountPercent: 50, profitPercent: 0.3 },
          { amountPercent: 50, profitPercent: 0.8 },
        ],
        stopLossToBreakeven: true,
      },
    });
    expect(started.status).toBe(201);
    interface Rung {
      kind: string;
      step: number | null;
      status: string | null;
      plannedPrice: number | null;
      plannedAmount: number | null;
    }
    const read = async () =>
      (
        await call<{
          status: string;
          averageEntry: number;
          boughtAmount: number;
          closeReason: string | null;
          ladder: Rung[];
        }>(t, 'GET', `/api/dca/deals/${started.body.id}`, { apiKey: reader })
      ).body;
    const until = async (done: (deal: Awaited<ReturnType<typeof read>>) => boolean) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const deal = await read();
        if (done(deal)) return deal;
        if (Date.now() > deadline) throw new Error(`deal stuck: ${JSON.stringify(deal)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const openSteps = (deal: Awaited<ReturnType<typeof read>>) =>
      deal.ladder.filter((rung) => rung.kind === 'take_profit' && rung.status === 'OPEN');
    const bought = await until((deal) => openSteps(deal).length === 2);
    const [first, second] = openSteps(bought);
    expect([first.step, second.step]).toEqual([1, 2]);
    expect(first.plannedPrice).toBeCloseTo(bought.averageEntry * 1.003, 0);
    expect(second.plannedPrice).toBeCloseTo(bought.averageEntry * 1.008, 0);
    expect(first.plannedAmount! + second.plannedAmount!).toBeCloseTo(bought.boughtAmount, 8);
    expect(Math.abs(first.plannedAmount! - second.plannedAmount!)).toBeLessThanOrEqual(
      plan.body.amountStep + 1e-12,
    );
    expect(bought.ladder.filter((rung) => rung.kind === 'safety' && rung.status === 'OPEN')).toHaveLength(2);

    clock.ms = scenario.firstStep;
    await t.app.get(PaperExchangeService).matchAll();
    const stepped = await until(
      (deal) =>
        deal.ladder.some((rung) => rung.step === 1 && rung.status === 'FILLED') &&
        deal.ladder.every((rung) => rung.kind !== 'safety' || rung.status === 'CANCELED'),
    );
    // The second step stays as it was: the same order, still resting.
    expect(openSteps(stepped)).toEqual([second]);

    clock.ms = scenario.breakeven;
    await t.app.get(DcaDeals).sweep();
    const done = await until((deal) => deal.status === 'stop_loss_finished');
    expect(done.closeReason).toBe('stop_loss');
    expect(done.ladder.find((rung) => rung.step === 2)?.status).toBe('CANCELED');
    const sells = await t.app.get(DataSource).query<Array<{ type: string; amount: string; price: string }>>(
      `SELECT o.type, f.amount, f.price FROM fills f JOIN orders o ON o.id = f.order_id
         WHERE o.trade_id = $1 AND o.side = 'sell' ORDER BY f.executed_at`,
      [started.body.tradeId],
    );
    expect(sells.map((fill) => fill.type)).toEqual(['limit', 'market']);
    expect(Number(sells[0].price)).toBe(first.plannedPrice);
    expect(Number(sells[0].amount) + Number(sells[1].amount)).toBeCloseTo(bought.boughtAmount, 8);
    expect(Number(sells[1].price)).toBeLessThanOrEqual(bought.averageEntry);
  });

  it('refuses a ladder the balance cannot fund, with the amount needed, placing nothing; changes, cancels and panic-sells deals', async () => {
    const deals = () => call<{ total: number }>(t, 'GET', '/api/dca/deals', { apiKey: reader });
    const orders = async () =>
      Number(
        (await t.app.get(DataSource).query<Array<{ n: string }>>('SELECT count(*) AS n FROM orders'))[0].n,
      );
    const [dealsBefore, ordersBefore] = [(await deals()).body.total, await orders()];
    const refused = await call<{
      error: string;
      message: string;
      details: { needed: number; currency: string };
    }>(t, 'POST', '/api/dca/deals', {
      apiKey: trader,
      body: { symbol: 'ETH/USDT', baseOrderVolume: 5000, safetyOrderVolume: 5000, maxSafetyOrders: 3 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('INSUFFICIENT_BALANCE');
    expect(refused.body.details.currency).toBe('USDT');
    expect(refused.body.details.needed).toBeGreaterThan(5000 * 2 + 5000 * 1.5 + 5000 * 2.25 - 1);
    expect((await deals()).body.total).toBe(dealsBefore);
    expect(await orders()).toBe(ordersBefore);

    interface Deal {
      id: string;
      status: string;
      tradeId: string;
      takeProfitPrice: number | null;
      averageEntry: number;
      boughtVolume: number;
      openAmount: number;
      ladder: Array<{
        kind: string;
        status: string | null;
        price: number | null;
        plannedAmount: number | null;
        orderId: string | null;
      }>;
    }
    const start = async (extra: object = {}) => {
      const response = await call<Deal>(t, 'POST', '/api/dca/deals', {
        apiKey: trader,
        body: {
          ...extra,
          symbol: 'ETH/USDT',
          baseOrderVolume: 20,
          safetyOrderVolume: 20,
          maxSafetyOrders: 3,
          activeSafetyOrders: 2,
          priceDeviation: 5,
        },
      });
      expect(response.status).toBe(201);
      return response.body;
    };
    const read = async (id: string) =>
      (await call<Deal>(t, 'GET', `/api/dca/deals/${id}`, { apiKey: reader })).body;
    const settle = async (id: string, done: (deal: Deal) => boolean) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const deal = await read(id);
        if (done(deal) || Date.now() > deadline) return deal;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const openTakeProfit = (deal: Deal) =>
      deal.ladder.find((rung) => rung.kind === 'take_profit' && rung.status === 'OPEN');

    const first = await settle((await start()).id, (deal) => openTakeProfit(deal) !== undefined);
    expect(first.ladder.filter((rung) => rung.kind === 'safety' && rung.status === 'OPEN')).toHaveLength(2);
    // Add funds: a market buy outside the ladder; the take profit follows the new amount.
    const funded = await call<Deal>(t, 'POST', `/api/dca/deals/${first.id}/add-funds`, {
      apiKey: trader,
      body: { volume: 30 },
    });
    expect(funded.status).toBe(200);
    expect(funded.body.ladder.filter((rung) => rung.kind === 'add_funds').map((rung) => rung.status)).toEqual(
      ['FILLED'],
    );
    expect(funded.body.boughtVolume).toBeGreaterThan(first.boughtVolume + 29);
    const refunded = await settle(
      first.id,
      (deal) => openTakeProfit(deal)?.plannedAmount !== openTakeProfit(first)?.plannedAmount,
    );
    expect(openTakeProfit(refunded)?.plannedAmount).toBeCloseTo(refunded.openAmount, 8);
    expect(refunded.ladder.filter((rung) => rung.kind === 'safety' && rung.status === 'OPEN')).toHaveLength(
      2,
    );
    const retargeted = await call<Deal>(t, 'POST', `/api/dca/deals/${first.id}/update-take-profit`, {
      apiKey: trader,
      body: { takeProfit: 3 },
    });
    expect(retargeted.status).toBe(200);
    const moved = await settle(
      first.id,
      (deal) => openTakeProfit(deal)?.price !== openTakeProfit(first)?.price,
    );
    expect(openTakeProfit(moved)?.price).toBeCloseTo(moved.averageEntry * 1.03, 0);
    const sold = await call<Deal>(t, 'POST', `/api/dca/deals/${first.id}/panic-sell`, {
      apiKey: trader,
      body: {},
    });
    expect(sold.status).toBe(200);
    const panicked = await settle(first.id, (deal) => deal.status === 'panic_sold');
    expect(panicked.status).toBe('panic_sold');
    expect(panicked.ladder.filter((rung) => rung.status === 'OPEN')).toEqual([]);
    expect(
      (await call<{ status: string }>(t, 'GET', `/api/trades/${first.tradeId}`, { apiKey: reader })).body
        .status,
    ).toBe('CLOSED');
    expect(
      (await call(t, 'POST', `/api/dca/deals/${first.id}/cancel`, { apiKey: trader, body: {} })).status,
    ).toBe(409);

    const second = await settle(
      (await start({ startOrderType: 'limit' })).id,
      (deal) => openTakeProfit(deal) !== undefined,
    );
    const baseOrder = second.ladder.find((rung) => rung.kind === 'base')!;
    expect(
      (await call<{ type: string }>(t, 'GET', `/api/orders/${baseOrder.orderId}`, { apiKey: reader })).body
        .type,
    ).toBe('limit');
    const cancelled = await call<Deal>(t, 'POST', `/api/dca/deals/${second.id}/cancel`, {
      apiKey: trader,
      body: {},
    });
    expect(cancelled.body.status).toBe('cancelled');
    // Nothing of it stays on the book, its take profit included.
    expect(cancelled.body.ladder.filter((rung) => rung.status === 'OPEN')).toEqual([]);
    expect(cancelled.body.ladder.filter((rung) => rung.kind === 'safety').map((rung) => rung.status)).toEqual(
      ['CANCELED', 'CANCELED', null],
    );
    // The coins stay: the trade is an open position of its own now.
    expect(
      (await call<{ status: string }>(t, 'GET', `/api/trades/${second.tradeId}`, { apiKey: reader })).body
        .status,
    ).toBe('OPEN');
    const listed = await call<{ items: Array<{ id: string }> }>(
      t,
      'GET',
      '/api/dca/deals?status=cancelled&symbol=ETH/USDT',
      {
        apiKey: reader,
      },
    );
    expect(listed.body.items.map((deal) => deal.id)).toEqual([second.id]);
    expect(
      (await call(t, 'POST', '/api/dca/deals', { apiKey: reader, body: { symbol: 'ETH/USDT' } })).status,
    ).toBe(403);
  });
});

describe('DCA bots (preset kind dca)', () => {
  interface DealRow {
    id: string;
    symbol: string;
    status: string;
    closeReason: string | null;
    tradeId: string;
  }
  const dealsOf = async (botId: string, status = '') =>
    (
      await call<{ items: DealRow[] }>(
        t,
        'GET',
        `/api/dca/deals?botId=${botId}${status ? `&status=${status}` : ''}`,
        {
          apiKey: reader,
        },
      )
    ).body.items;
  const command = (botId: string, name: string) =>
    call<{ message: string; status: { state: string } }>(t, 'POST', `/api/bots/${botId}/command`, {
      apiKey: trader,
      body: { command: name },
    });
  const tick = () => t.app.get(EngineService).tick();
  const deal = {
    baseOrderVolume: 20,
    safetyOrderVolume: 20,
    maxSafetyOrders: 2,
    activeSafetyOrders: 1,
    priceDeviation: 3,
    takeProfit: 8,
  };

  it('validates DCA presets and bots', async () => {
    const preset = (body: object) =>
      call<{ message: string }>(t, 'POST', '/api/presets', { apiKey: admin, body });
    const dcaOnStrategy = await preset({
      name: 'dca_wrong_kind',
      strategy: { name: 'breakout' },
      dca: { maxActiveDeals: 2 },
    });
    expect(dcaOnStrategy.status).toBe(400);
    expect(dcaOnStrategy.body.message).toContain('only a preset of kind dca');
    const tooActive = await preset({
      name: 'dca_too_active',
      kind: 'dca',
      dca: { deal: { maxSafetyOrders: 2, activeSafetyOrders: 3 } },
    });
    expect(tooActive.status).toBe(400);
    expect(tooActive.body.message).toContain('activeSafetyOrders');
    const badCondition = await preset({
      name: 'dca_bad_start',
      kind: 'dca',
      dca: { startCondition: 'sometimes' },
    });
    expect(badCondition.status).toBe(400);
    // Left out: dca_conservative_v1's values; the given ones merged in.
    const made = await call<{
      config: {
        kind: string;
        strategy: { name: string };
        dca: { deal: Record<string, unknown>; maxActiveDeals: number; startCondition: string };
      };
    }>(t, 'POST', '/api/presets', {
      apiKey: admin,
      body: {
        name: 'dca_no_pairs',
        kind: 'dca',
        scannerConfig: { universe: [] },
        dca: { deal: { takeProfit: 2.5 } },
      },
    });
    expect(made.status).toBe(201);
    expect(made.body.config).toMatchObject({
      kind: 'dca',
      strategy: { name: 'rsi_mean_reversion' },
      dca: {
        maxActiveDeals: 2,
        startCondition: 'asap',
        deal: { takeProfit: 2.5, baseOrderVolume: 10, maxSafetyOrders: 5, activeSafetyOrders: 2 },
      },
    });
    const noPairs = await call<{ message: string }>(t, 'POST', '/api/bots', {
      apiKey: trader,
      body: { name: 'dca-no-pairs', preset: 'dca_no_pairs', mode: 'paper' },
    });
    expect(noPairs.status).toBe(400);
    expect(noPairs.body.message).toContain('a DCA bot trades a list of pairs');
    const bots = await call<{ items: Array<{ name: string }> }>(t, 'GET', '/api/bots?limit=500', {
      apiKey: reader,
    });
    expect(bots.body.items.map((row) => row.name)).not.toContain('dca-no-pairs');
  });

  it('opens one deal per pair up to maxActiveDeals, none while paused, and sells every deal on a panic exit', async () => {
    const created = await call(t, 'POST', '/api/presets', {
      apiKey: admin,
      body: {
        name: 'dca_three_pairs',
        kind: 'dca',
        scannerConfig: { universe: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] },
        dca: { deal, maxActiveDeals: 2, cooldownSeconds: 0, startCondition: 'asap' },
      },
    });
    expect(created.status).toBe(201);
    const bot = (
      await call<{ id: string }>(t, 'POST', '/api/bots', {
        apiKey: trader,
        body: {
          name: 'dca-three-pairs',
          preset: 'dca_three_pairs',
          mode: 'paper',
          capital: 1000,
          start: true,
        },
      })
    ).body;
    await tick();
    const opened = await dealsOf(bot.id);
    expect(opened.map((row) => row.symbol).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    // Its status counts deals against maxActiveDeals.
    const status = await call(t, 'GET', `/api/bots/${bot.id}`, { apiKey: reader });
    expect(status.body).toMatchObject({ slots: 2, freeSlots: 0, openPositions: 2, state: 'MANAGING' });
    // Its maximum is reached: a deal by hand on the third pair is refused, as is one on a pair not its own.
    const byHand = (symbol: string) =>
      call<{ message: string }>(t, 'POST', '/api/dca/deals', {
        apiKey: trader,
        body: { symbol, botId: bot.id },
      });
    expect((await byHand('SOL/USDT')).status).toBe(409);
    expect((await byHand('XRP/USDT')).status).toBe(400);

    expect((await command(bot.id, 'pause')).status).toBe(200);
    const btc = opened.find((row) => row.symbol === 'BTC/USDT')!;
    expect((await call(t, 'POST', `/api/dca/deals/${btc.id}/panic-sell`, { apiKey: trader })).status).toBe(
      200,
    );
    await tick();
    expect(await dealsOf(bot.id, 'bought')).toHaveLength(1); // paused: no new deal on the freed slot
    expect((await command(bot.id, 'resume')).status).toBe(200);
    await tick();
    const resumed = await dealsOf(bot.id, 'bought');
    expect(resumed).toHaveLength(2);
    expect(resumed.map((row) => row.symbol).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);

    const exit = await command(bot.id, 'panic_exit');
    expect(exit.status).toBe(200);
    expect(exit.body.status.state).toBe('IDLE');
    expect(exit.body.message).toMatch(/^Panic exit: \d+ order\(s\) canceled, 2 position\(s\) closed$/);
    const sold = await dealsOf(bot.id, 'panic_sold');
    expect(sold.map((row) => row.closeReason).sort()).toEqual(['panic_exit', 'panic_exit', 'panic_sell']);
    // Nothing of the bot rests on the book, and no deal is left active.
    const orders = await t.app
      .get(DataSource)
      .query<Array<{ count: string }>>(
        `SELECT count(*) FROM orders o JOIN dca_deals d ON d.trade_id = o.trade_id WHERE d.bot_id = $1 AND o.status NOT IN ('FILLED', 'CANCELED', 'REJECTED', 'EXPIRED')`,
        [bot.id],
      );
    expect(Number(orders[0].count)).toBe(0);
    expect(await dealsOf(bot.id, 'bought')).toHaveLength(0);
  });

  it("with startCondition signal, starts a deal on a pair when its strategy's buy signal comes at a candle's close, and only then", async () => {
    const span = TIMEFRAME_MS['15m'];
    const { params } = resolveParameters(
      rsiMeanReversion,
      BUILTIN_PRESETS.dca_conservative_v1.strategy.parameters,
    );
    const warmup = warmupCandles(rsiMeanReversion, params);
    const market = t.app.get(MarketSimulationService).market;
    const quarters = (symbol: string, from: number, to: number) =>
      aggregateCandles(
        market.candles(
          SIMULATED_UNIVERSE.findIndex((pair) => pair.symbol === symbol),
          from,
          to,
        ),
        MINUTE_MS,
        span,
      );
    // The signal a bot started just before candle `open` closes reads on it: its stream warmed on the
    // `warmup` candles before it, as the engine feeds one.
    const buysAt = (series: ReturnType<typeof quarters>, open: number) => {
      const stream = rsiMeanReversion.stream(params);
      let signal = 'hold';
      for (const candle of series)
        if (candle.openTime >= open - warmup * span && candle.openTime <= open)
          signal = stream.next(candle).action;
      return signal === 'buy';
    };
    // A signal in the ten days before now: the clock goes back to it, so the simulation has no new
    // minutes to store meanwhile (a jump of days ahead would have it store them all).
    const searchFrom = Math.floor((clock.ms - 10 * 86_400_000) / span) * span;
    const searchTo = clock.ms - 3 * span;
    const history = {
      btc: quarters('BTC/USDT', searchFrom - (warmup + 1) * span, searchTo + span),
      eth: quarters('ETH/USDT', searchFrom - (warmup + 1) * span, searchTo + span),
    };
    // Candidates from one stream over the whole series, each checked as the bot's window reads it.
    const continuous = rsiMeanReversion.stream(params);
    const candidates = history.btc
      .filter(
        (candle) =>
          continuous.next(candle).action === 'buy' &&
          candle.openTime >= searchFrom &&
          candle.openTime < searchTo,
      )
      .map((candle) => candle.openTime);
    const signalAt = candidates.find(
      (open) => buysAt(history.btc, open) && !buysAt(history.eth, open) && !buysAt(history.btc, open - span),
    );
    if (signalAt === undefined) throw new Error('no RSI buy on BTC/USDT alone in the last 10 days');

    // The quarters the bot reads, stored as the simulation stores them (it may not have been running then).
    await t.app.get(CandleRepository).insertMany(
      SIMULATED_EXCHANGE,
      (['btc', 'eth'] as const).flatMap((key) =>
        history[key]
          .filter((candle) => candle.openTime <= signalAt + span)
          .map((candle) => ({
            ...candle,
            symbol: key === 'btc' ? 'BTC/USDT' : 'ETH/USDT',
            timeframe: '15m' as const,
          })),
      ),
    );
    clock.ms = signalAt + span - 10_000; // the bot starts 10 s before the signal's candle closes
    const created = await call(t, 'POST', '/api/presets', {
      apiKey: admin,
      body: { name: 'dca_signal', kind: 'dca', dca: { deal, startCondition: 'signal' } },
    });
    expect(created.status).toBe(201);
    const bot = (
      await call<{ id: string }>(t, 'POST', '/api/bots', {
        apiKey: trader,
        body: { name: 'dca-signal', preset: 'dca_signal', mode: 'paper', capital: 1000, start: true },
      })
    ).body;
    await tick();
    clock.ms = signalAt + span + 5_000;
    await tick();
    expect((await dealsOf(bot.id)).map((row) => row.symbol)).toEqual(['BTC/USDT']);
    // At the next close ETH/USDT gets a deal if and only if its signal then is a buy.
    clock.ms += span;
    await tick();
    const after = await dealsOf(bot.id);
    expect(after.map((row) => row.symbol)).toEqual(
      buysAt(history.eth, signalAt + span) ? ['ETH/USDT', 'BTC/USDT'] : ['BTC/USDT'],
    );
    expect((await command(bot.id, 'panic_exit')).status).toBe(200);
  });

  it('starts no deal the capital cannot fund, and says so in an alert', async () => {
    const preset = await call(t, 'POST', '/api/presets', {
      apiKey: admin,
      body: { name: 'dca_poor', kind: 'dca', scannerConfig: { universe: ['BTC/USDT'] }, dca: { deal } },
    });
    expect(preset.status).toBe(201);
    const bot = (
      await call<{ id: string }>(t, 'POST', '/api/bots', {
        apiKey: trader,
        body: { name: 'dca-poor', preset: 'dca_poor', mode: 'paper', capital: 30, start: true },
      })
    ).body;
    await tick();
    expect(await dealsOf(bot.id)).toHaveLength(0);
    const trades = await t.app
      .get(DataSource)
      .query<Array<{ count: string }>>(`SELECT count(*) FROM trades WHERE bot_id = $1`, [bot.id]);
    expect(Number(trades[0].count)).toBe(0);
    const alerted = async () =>
      (
        await call<{ items: Array<{ message: string }> }>(
          t,
          'GET',
          `/api/alerts?type=DCA_INSUFFICIENT_FUNDS&source=bot:${bot.id}`,
          { apiKey: reader },
        )
      ).body.items;
    const deadline = Date.now() + 5000;
    while ((await alerted()).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect((await alerted())[0]?.message).toContain('The ladder needs');
    expect((await command(bot.id, 'stop')).status).toBe(200);
  });

  it("a deal by hand for a bot: its preset's settings under the ones given, one per pair, none once killed", async () => {
    const preset = await call(t, 'POST', '/api/presets', {
      apiKey: admin,
      body: {
        name: 'dca_by_hand',
        kind: 'dca',
        scannerConfig: { universe: ['BTC/USDT', 'ETH/USDT'] },
        dca: { deal, startCondition: 'manual', maxActiveDeals: 2 },
      },
    });
    expect(preset.status).toBe(201);
    const bot = (
      await call<{ id: string }>(t, 'POST', '/api/bots', {
        apiKey: trader,
        body: { name: 'dca-by-hand', preset: 'dca_by_hand', mode: 'paper', capital: 1000, start: true },
      })
    ).body;
    await tick();
    expect(await dealsOf(bot.id)).toHaveLength(0); // manual: the bot starts none itself
    const byHand = (body: object) =>
      call<{ message: string; settings: Record<string, unknown> }>(t, 'POST', '/api/dca/deals', {
        apiKey: trader,
        body,
      });
    const started = await byHand({ symbol: 'BTC/USDT', botId: bot.id, takeProfit: 4 });
    expect(started.status).toBe(201);
    expect(started.body.settings).toMatchObject({ takeProfit: 4, baseOrderVolume: 20, priceDeviation: 3 });
    expect((await byHand({ symbol: 'BTC/USDT', botId: bot.id })).status).toBe(409);
    // A ladder reaching 100 % below the base price is refused, in a preset and in a deal.
    const tooDeep = await call<{ message: string }>(t, 'PUT', '/api/presets/dca_by_hand', {
      apiKey: admin,
      body: { dca: { deal: { priceDeviation: 50, maxSafetyOrders: 2 } } },
    });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.message).toContain('under 100 %');
    expect((await byHand({ symbol: 'ETH/USDT', priceDeviation: 40, maxSafetyOrders: 3 })).status).toBe(400);
    // null turns a setting off again.
    type Stored = { config: { dca: { deal: { stopLoss: number | null; baseOrderVolume: number } } } };
    const stored = async () =>
      (await call<Stored>(t, 'GET', '/api/presets/dca_by_hand', { apiKey: reader })).body.config.dca.deal;
    const put = (deal: object) =>
      call(t, 'PUT', '/api/presets/dca_by_hand', { apiKey: admin, body: { dca: { deal } } });
    expect((await put({ stopLoss: 5 })).status).toBe(200);
    expect((await stored()).stopLoss).toBe(5);
    expect((await put({ stopLoss: null })).status).toBe(200);
    expect(await stored()).toMatchObject({ stopLoss: null, baseOrderVolume: 20 });
    expect((await command(bot.id, 'kill_switch')).status).toBe(200);
    expect((await dealsOf(bot.id, 'panic_sold')).map((row) => row.closeReason)).toEqual(['kill_switch']);
    const killed = await byHand({ symbol: 'ETH/USDT', botId: bot.id });
    expect(killed.status).toBe(409);
    expect(killed.body.message).toContain('kill switch');
  });
});
