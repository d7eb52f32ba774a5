import { DataSource } from 'typeorm';
import { EngineService } from '../src/engine/engine.service';
import { TradeGuard } from '../src/trading/trade-guard.service';
import { call } from './support/auth-client';
import { finishedBacktest } from './support/backtests';
import { FakeBinance } from './support/fake-exchange/fake-binance';
import { ManualClock } from './support/manual-clock';
import { startLiveBotApp } from './support/live-bot-app';
import { TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';

const MINUTE = 60_000;
const BINANCE_SECRET = 'live-bot-binance-secret-0123456789';

interface BotView {
  id: string;
  state: string;
  running: boolean;
  mode: string;
  accountId: string | null;
  lastError: string | null;
  processedThrough: string | null;
  metrics: { cycleCount: number };
}

// Simulated hours of one-minute candles run here; the deadline only stops a hang.
jest.setTimeout(600_000);

describe('a live bot on an exchange account (a fake Binance, through ccxt)', () => {
  // Five seconds past a minute: the exchange's last candle has closed and settled at every step.
  const clock = new ManualClock(Math.floor((Date.now() - 6 * 3_600_000) / MINUTE) * MINUTE + 5_000);
  const fake = new FakeBinance('live-bot-binance-key-0001', BINANCE_SECRET);
  fake.marketNow = () => clock.ms;
  let t: TestApp;
  let trader: string;
  let reader: string;
  let accountId: string;
  let socket: TestSocket;

  const step = async () => {
    clock.ms += MINUTE;
    await t.app.get(EngineService).tick();
    await t.app.get(TradeGuard).check();
  };
  const bot = async (id: string) =>
    (await call<BotView>(t, 'GET', `/api/bots/${id}`, { token: reader })).body;
  /** A running live bot of the fast-cross preset on BTC/USDT and ETH/USDT. */
  const startBot = async (name: string, preset = 'live_fast_cross') => {
    const created = await call<BotView>(t, 'POST', '/api/bots', {
      token: trader,
      body: {
        name,
        preset,
        mode: 'live',
        accountId,
        symbols: ['BTC/USDT', 'ETH/USDT'],
        start: true,
      },
    });
    expect(created.status).toBe(201);
    return created.body;
  };
  const botCommand = (id: string, command: string) =>
    call<{ success: boolean; status: BotView }>(t, 'POST', `/api/bots/${id}/command`, {
      token: trader,
      body: { command },
    });
  const query = <T>(sql: string, parameters: unknown[] = []) =>
    t.app.get(DataSource).query<T>(sql, parameters);

  beforeAll(async () => {
    await fake.start();
    let adminKey: string;
    ({ t, adminKey, trader, reader, accountId } = await startLiveBotApp(fake, BINANCE_SECRET, clock));
    // EMA 2/3 crosses on one-minute candles: the fake's candles swing around its price every ~44 minutes.
    // Targets out of reach: positions end on sell signals (or stops, or the time stop when given).
    const fastCross = (name: string, maxHoldMinutes?: number) =>
      call(t, 'POST', '/api/presets', {
        token: adminKey,
        body: {
          name,
          strategy: { name: 'ema_cross', parameters: { fast: 2, slow: 3, atrStop: 3, rewardRisk: 20 } },
          timeframe: '1m',
          risk: {
            maxConcurrentPositions: 2,
            trailingStopR: null,
            ...(maxHoldMinutes ? { maxHoldMinutes } : {}),
          },
          scannerConfig: {
            maxCandidates: 10,
            filters: { minQuoteVolume24h: 0, minAtrPct: 0, maxAtrPct: 1, minVolumeSurge: 0 },
          },
        },
      });
    expect((await fastCross('live_fast_cross')).status).toBe(201);
    expect((await fastCross('live_quick_hold', 2)).status).toBe(201);
    socket = await TestSocket.open(wsUrl(t.baseUrl, `/ws?token=${encodeURIComponent(reader)}`));
    socket.send({ type: 'subscribe', topics: ['alerts', 'scanner'] });
    await socket.next((message) => message.type === 'subscribed');
  });
  // Each test runs its own bots: those it started are stopped after it, and the faults it injected are
  // cleared, so the next test's steps drive its own bots only.
  afterEach(async () => {
    fake.faults.length = 0;
    const bots = await call<{ items: BotView[] }>(t, 'GET', '/api/bots?limit=100', { token: reader });
    for (const running of bots.body.items.filter((bot) => bot.running))
      expect((await botCommand(running.id, 'stop')).status).toBe(200);
  });
  afterAll(async () => {
    socket?.close();
    await t?.close();
    await fake.stop();
  });

  it("decides on its exchange's candles and trades on that exchange", async () => {
    const symbolOffList = await call(t, 'POST', '/api/bots', {
      token: trader,
      body: {
        name: 'live-1',
        preset: 'live_fast_cross',
        mode: 'live',
        accountId,
        symbols: ['SOL/USDT'],
      },
    });
    // The fake lists BTC/USDT and ETH/USDT only: a symbol the exchange does not list is refused.
    expect(symbolOffList.status).toBe(400);
    expect(symbolOffList.body).toMatchObject({ error: 'INVALID_SYMBOL' });

    const created = await startBot('live-1');
    expect(created).toMatchObject({ mode: 'live', accountId, running: true });
    const botId = created.id;

    let filled: Array<{ id: string; symbol: string; entry_amount: string; entry_cost: string }> = [];
    for (let i = 0; i < 180 && filled.length === 0; i++) {
      await step();
      filled = await query(
        `SELECT id, symbol, entry_amount, entry_cost FROM trades WHERE bot_id = $1 AND entry_amount::numeric > 0`,
        [botId],
      );
    }
    expect(filled.length).toBeGreaterThan(0);

    // The candles it decided on are the exchange's, kept in the store under its id.
    expect(fake.seen('GET', '/api/v3/klines')).toBeGreaterThan(0);
    const [stored] = await query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM candles WHERE exchange = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '1m'`,
    );
    expect(stored.n).toBeGreaterThan(200);
    const scan = await socket.next((message) => message.type === 'SCAN_RESULT');
    expect(scan.data).toMatchObject({ preset: 'live_fast_cross', exchange: 'binance', totalScanned: 2 });

    // Its entry went to the exchange through ccxt, under our client order id, and filled at the
    // exchange's price, not the simulated market's.
    const trade = filled[0];
    const orders = await query<Array<{ client_order_id: string; exchange_id: string }>>(
      `SELECT client_order_id, exchange_id FROM orders WHERE trade_id = $1 AND intent = 'entry'`,
      [trade.id],
    );
    expect(orders).toHaveLength(1);
    expect(orders[0].exchange_id).toBe('binance');
    const onExchange = fake.ordersWithClientId(orders[0].client_order_id);
    expect(onExchange).toHaveLength(1);
    expect(onExchange[0].filled).toBeCloseTo(Number(trade.entry_amount), 8);
    const venuePrice = fake.markets.get(trade.symbol.replace('/', ''))!.price;
    const averageEntry = Number(trade.entry_cost) / Number(trade.entry_amount);
    expect(Math.abs(averageEntry / venuePrice - 1)).toBeLessThan(1e-6);

    // A scan asked for directly reads the same exchange.
    const direct = await call<{
      exchange: string;
      totalScanned: number;
      candidates: Array<{ symbol: string; metrics: { price: number } }>;
    }>(t, 'POST', '/api/scanner/scan', { token: trader, body: { preset: 'live_fast_cross', accountId } });
    expect(direct.status).toBe(200);
    expect(direct.body).toMatchObject({ exchange: 'binance', totalScanned: 2 });
    const btc = direct.body.candidates.find((candidate) => candidate.symbol === 'BTC/USDT')!;
    expect(Math.abs(btc.metrics.price / 60_000 - 1)).toBeLessThan(0.011);
    const noAccount = await call(t, 'POST', '/api/scanner/scan', {
      token: trader,
      body: { preset: 'live_fast_cross', accountId: '8c1e6c1e-0000-4000-8000-000000000000' },
    });
    expect(noAccount.status).toBe(404);
  });

  it('closes by its time stop maxHoldMinutes after the close it entered at, though it filled after that close', async () => {
    const botId = (await startBot('live-hold', 'live_quick_hold')).id;
    let held: Array<{ opened_at: Date; closed_at: Date }> = [];
    for (let i = 0; i < 120 && held.length === 0; i++) {
      await step();
      held = await query(
        `SELECT opened_at, closed_at FROM trades WHERE bot_id = $1 AND close_reason = 'time_stop'`,
        [botId],
      );
    }
    expect(held.length).toBeGreaterThan(0);
    // Cycles run five seconds after each close here, and the entry filled in such a cycle: two minutes
    // are counted from the close it entered at, so the cycle after the second close ends it.
    const enteredAtClose = Math.floor(held[0].opened_at.getTime() / MINUTE) * MINUTE;
    expect(held[0].opened_at.getTime()).toBeGreaterThan(enteredAtClose);
    expect(held[0].closed_at.getTime() - enteredAtClose).toBeGreaterThanOrEqual(2 * MINUTE);
    expect(held[0].closed_at.getTime() - enteredAtClose).toBeLessThan(3 * MINUTE);
  });

  it('exits a held position on its sell signal while paused: a pause stops entries, never exits', async () => {
    const exitsBot = (await startBot('live-exits')).id;
    const tradesOf = () =>
      query<Array<{ id: string; status: string; close_reason: string | null }>>(
        `SELECT id, status, close_reason FROM trades WHERE bot_id = $1 ORDER BY created_at`,
        [exitsBot],
      );
    let open: { id: string } | undefined;
    for (let i = 0; i < 180 && !open; i++) {
      await step();
      open = (await tradesOf()).find((trade) => trade.status === 'OPEN');
    }
    expect(open).toBeDefined();
    expect((await botCommand(exitsBot, 'pause')).status).toBe(200);
    const count = (await tradesOf()).length;
    let held = (await tradesOf()).find((trade) => trade.id === open!.id)!;
    for (let i = 0; i < 120 && held.status !== 'CLOSED'; i++) {
      await step();
      held = (await tradesOf()).find((trade) => trade.id === open!.id)!;
    }
    expect(held).toMatchObject({ status: 'CLOSED', close_reason: 'signal' });
    expect((await tradesOf()).length).toBe(count);
    expect(
      (await call<{ paused: boolean }>(t, 'GET', `/api/bots/${exitsBot}`, { token: reader })).body,
    ).toMatchObject({
      paused: true,
    });
  });

  it('stops in ERROR with an alert when its cycles keep failing, and retry brings it back', async () => {
    // Every candle request fails (503) until the faults are cleared: the bot cannot read its market.
    const botId = (await startBot('live-errors')).id;
    await step();
    expect((await bot(botId)).processedThrough).not.toBeNull();
    for (let i = 0; i < 200; i++)
      fake.faults.push({ method: 'GET', path: '/api/v3/klines', kind: 'serverError' });
    const before = await bot(botId);
    for (let i = 0; i < 3; i++) await step();
    const failed = await bot(botId);
    expect(failed).toMatchObject({ state: 'ERROR', running: true });
    expect(failed.lastError).toBeTruthy();
    expect(failed.processedThrough).toBe(before.processedThrough);
    const alert = await socket.next(
      (message) => message.type === 'alert' && message.data.code === 'BOT_ERROR',
    );
    expect(alert.data).toMatchObject({ level: 'critical', source: 'engine', botId });

    // In ERROR it does nothing, even once the exchange answers again, until someone says retry.
    fake.faults.length = 0;
    const cycles = failed.metrics.cycleCount;
    await step();
    expect(await bot(botId)).toMatchObject({ state: 'ERROR', processedThrough: before.processedThrough });
    expect((await bot(botId)).metrics.cycleCount).toBe(cycles);

    const retried = await botCommand(botId, 'retry');
    expect(retried.status).toBe(200);
    expect(retried.body.success).toBe(true);
    expect(retried.body.status.state).not.toBe('ERROR');
    expect(retried.body.status.lastError).toBeNull();
    await step();
    const back = await bot(botId);
    expect(['SIGNAL_WAIT', 'MANAGING']).toContain(back.state);
    expect(back.metrics.cycleCount).toBeGreaterThan(cycles);
    expect(Date.parse(back.processedThrough!)).toBeGreaterThan(Date.parse(before.processedThrough!));
    // Retry applies to ERROR only.
    expect((await botCommand(botId, 'retry')).status).toBe(409);
  });

  it("backtests the preset over the exchange's candles, fetched into the store first", async () => {
    // A price of its own on the exchange, far from the simulated market's BTC (60,000).
    fake.markets.get('BTCUSDT')!.price = 42_000;
    const to = Math.floor(clock.ms / MINUTE) * MINUTE - 24 * 3_600_000;
    const from = to - 12 * 3_600_000;
    const created = await call<{ id: string; status: string; request: Record<string, unknown> }>(
      t,
      'POST',
      '/api/backtests',
      {
        token: trader,
        body: {
          preset: 'live_fast_cross',
          symbols: ['BTC/USDT'],
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          accountId,
          slippageBps: 10,
        },
      },
    );
    expect(created.status).toBe(202);
    expect(created.body.request).toMatchObject({ accountId, exchange: 'binance', slippageBps: 10 });
    const done = {
      body: await finishedBacktest<{
        status: string;
        progress: number;
        candles: number;
        error: string | null;
        trades: Array<{ symbol: string; entryTime: number; entryPrice: number }>;
      }>(t, created.body.id, reader),
    };
    expect(done.body).toMatchObject({ status: 'completed', progress: 100, error: null });
    // The 12 hours, and the strategy's warm-up before them, all fetched from the exchange.
    expect(done.body.candles).toBeGreaterThan(12 * 60);
    const [warmAndRange] = await query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM candles WHERE exchange = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '1m' AND open_time >= to_timestamp($1 / 1000.0) AND open_time < to_timestamp($2 / 1000.0)`,
      [to - done.body.candles * MINUTE, to],
    );
    expect(warmAndRange.n).toBe(done.body.candles);
    expect(done.body.trades.length).toBeGreaterThan(0);
    for (const trade of done.body.trades) {
      expect(trade.entryTime).toBeGreaterThanOrEqual(from);
      // The exchange's candles swing 1 % around its price; entries pay the close plus 10 bps.
      expect(trade.entryPrice).toBeGreaterThan(42_000 * 0.99);
      expect(trade.entryPrice).toBeLessThan(42_000 * 1.011);
    }
    const [stored] = await query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM candles WHERE exchange = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '1m' AND open_time >= to_timestamp($1 / 1000.0) AND open_time < to_timestamp($2 / 1000.0)`,
      [from, to],
    );
    expect(stored.n).toBe(12 * 60);

    const notListed = await call(t, 'POST', '/api/backtests', {
      token: trader,
      body: {
        preset: 'live_fast_cross',
        symbols: ['SOL/USDT'],
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        accountId,
      },
    });
    expect(notListed.status).toBe(400);
    expect(notListed.body).toMatchObject({ error: 'INVALID_SYMBOL' });
  });
});
