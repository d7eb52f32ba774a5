import { DataSource } from 'typeorm';
import { EngineService } from '../src/engine/engine.service';
import { TradeGuard } from '../src/trading/trade-guard.service';
import { call } from './support/auth-client';
import { FakeBinance } from './support/fake-exchange/fake-binance';
import { ManualClock } from './support/manual-clock';
import { startLiveBotApp } from './support/live-bot-app';
import { TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';

const MINUTE = 60_000;
const DAY = 86_400_000;
const SECRET = 'engine-risk-binance-secret-0123456789';

interface BotView {
  id: string;
  paused: boolean;
  pauseReason: string | null;
  pausedUntil: string | null;
  consecutiveLosses: number;
}

interface TradeRow {
  id: string;
  symbol: string;
  status: string;
  close_reason: string | null;
  closed_at: Date | null;
}

// Simulated hours of one-minute candles run here; the deadline only stops a hang.
jest.setTimeout(600_000);

/** Risk rules of live bots (a fake Binance through ccxt, one-minute EMA crosses). */
describe('bot risk: losing streaks across midnight, pauses that lift, exits of held symbols', () => {
  // An hour before a UTC midnight, five seconds past a minute (the exchange's candle has settled); a
  // fixed moment, so the fake's candles, and with them every signal of this test, are the same each run.
  const clock = new ManualClock(Date.parse('2026-11-20T23:00:05Z'));
  const fake = new FakeBinance('engine-risk-binance-key-0001', SECRET);
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
  const query = <T>(sql: string, parameters: unknown[] = []) =>
    t.app.get(DataSource).query<T>(sql, parameters);
  const tradesOf = (botId: string) =>
    query<TradeRow[]>(
      'SELECT id, symbol, status, close_reason, closed_at FROM trades WHERE bot_id = $1 ORDER BY created_at',
      [botId],
    );
  const botView = async (botId: string) =>
    (await call<BotView>(t, 'GET', `/api/bots/${botId}`, { token: reader })).body;
  const startBot = async (name: string, preset: string, symbols: string[]) => {
    const created = await call<BotView>(t, 'POST', '/api/bots', {
      token: trader,
      body: { name, preset, mode: 'live', accountId, symbols, start: true },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  };
  /** Steps until the bot holds an open trade; the guard then finds its stop above the price. */
  const loseOneTrade = async (botId: string): Promise<TradeRow> => {
    let open: TradeRow | undefined;
    for (let i = 0; i < 90 && !open; i++) {
      await step();
      open = (await tradesOf(botId)).find((trade) => trade.status === 'OPEN');
    }
    expect(open).toBeDefined();
    await query('UPDATE trades SET stop_loss = 1000000 WHERE id = $1', [open!.id]);
    await t.app.get(TradeGuard).check();
    const closed = (await tradesOf(botId)).find((trade) => trade.id === open!.id)!;
    expect(closed).toMatchObject({ status: 'CLOSED', close_reason: 'stop_loss' });
    return closed;
  };

  beforeAll(async () => {
    // Fees make a trade closed at the price it opened at a loss.
    fake.chargeFees({ kind: 'received', rate: 0.001 });
    await fake.start();
    let adminKey: string;
    ({ t, adminKey, trader, reader, accountId } = await startLiveBotApp(fake, SECRET, clock));
    /** EMA 2/3 crosses on one-minute candles, one position at a time, a pause after two losses in a row. */
    const streakPreset = (name: string, dailyLossLimitR: number) =>
      call(t, 'POST', '/api/presets', {
        token: adminKey,
        body: {
          name,
          strategy: { name: 'ema_cross', parameters: { fast: 2, slow: 3, atrStop: 3 } },
          timeframe: '1m',
          risk: {
            maxConcurrentPositions: 1,
            trailingStopR: null,
            dailyLossLimitR,
            maxConsecutiveLosses: 2,
            streakPauseMinutes: 30,
          },
          scannerConfig: {
            maxCandidates: 10,
            filters: { minQuoteVolume24h: 0, minAtrPct: 0, maxAtrPct: 1, minVolumeSurge: 0 },
          },
        },
      });
    expect((await streakPreset('streak_cross', 100)).status).toBe(201);
    // A daily loss limit a streak of two ordinary losses does not reach.
    expect((await streakPreset('streak_day', 10)).status).toBe(201);
    socket = await TestSocket.open(wsUrl(t.baseUrl, `/ws?token=${encodeURIComponent(reader)}`));
    socket.send({ type: 'subscribe', topics: ['alerts'] });
    await socket.next((message) => message.type === 'subscribed');
  });
  afterAll(async () => {
    socket?.close();
    await t?.close();
    await fake.stop();
  });

  it('pauses on a losing streak that crosses midnight, for streakPauseMinutes, then lifts the pause by itself', async () => {
    const midnight = Math.floor(clock.ms / DAY) * DAY + DAY;
    const botId = await startBot('streak', 'streak_cross', ['BTC/USDT']);
    const first = await loseOneTrade(botId);
    expect(first.closed_at!.getTime()).toBeLessThan(midnight);
    while (clock.ms < midnight) await step();
    expect(await botView(botId)).toMatchObject({ paused: false, consecutiveLosses: 1 });

    // The second loss comes on the next UTC day: the streak goes on, and the bot pauses.
    const second = await loseOneTrade(botId);
    expect(second.closed_at!.getTime()).toBeGreaterThanOrEqual(midnight);
    await step();
    const paused = await botView(botId);
    expect(paused).toMatchObject({ paused: true, consecutiveLosses: 2 });
    expect(paused.pauseReason).toBe('risk limit: 2 losses in a row reached the limit of 2');
    const until = Date.parse(paused.pausedUntil!);
    expect(until - clock.ms).toBeGreaterThan(28 * MINUTE);
    expect(until - clock.ms).toBeLessThanOrEqual(30 * MINUTE);
    const alert = await socket.next(
      (message) => message.type === 'alert' && message.data.code === 'CONSECUTIVE_LOSSES',
    );
    expect(alert.data).toMatchObject({ level: 'warning', botId });

    const count = (await tradesOf(botId)).length;
    while (clock.ms + MINUTE < until) await step();
    expect(await botView(botId)).toMatchObject({ paused: true });
    expect((await tradesOf(botId)).length).toBe(count);
    await step();
    expect(await botView(botId)).toMatchObject({
      paused: false,
      pausedUntil: null,
      pauseReason: null,
      consecutiveLosses: 0,
    });
    await socket.next((message) => message.type === 'alert' && message.data.code === 'RISK_PAUSE_LIFTED');
    expect(
      (await call(t, 'POST', `/api/bots/${botId}/command`, { token: trader, body: { command: 'stop' } }))
        .status,
    ).toBe(200);
  });

  it('turns a streak pause that ends on a day whose loss reached the limit meanwhile into a pause until the next UTC day', async () => {
    // Far enough from a UTC midnight that the streak, its pause and the day's loss fall on one day.
    while (clock.ms % DAY > DAY - 2 * 3_600_000) await step();
    const botId = await startBot('streak-day', 'streak_day', ['BTC/USDT']);
    await loseOneTrade(botId);
    await loseOneTrade(botId);
    await step();
    const streak = await botView(botId);
    expect(streak).toMatchObject({ paused: true });
    expect(streak.pauseReason).toBe('risk limit: 2 losses in a row reached the limit of 2');
    const until = Date.parse(streak.pausedUntil!);

    // While it pauses, a position of the bot's closes at its stop with a loss far beyond the day's
    // limit (a stop a hundredth of a coin from its entry: fees alone are tens of R).
    const opened = await call<{ id: string }>(t, 'POST', '/api/trades', {
      token: trader,
      body: { symbol: 'ETH/USDT', side: 'buy', amount: 0.1, accountId },
    });
    expect(opened.status).toBe(201);
    await query("UPDATE trades SET bot_id = $2, initial_risk = '0.01', stop_loss = 1000000 WHERE id = $1", [
      opened.body.id,
      botId,
    ]);
    await t.app.get(TradeGuard).check();
    const lost = (await tradesOf(botId)).find((trade) => trade.id === opened.body.id)!;
    expect(lost).toMatchObject({ status: 'CLOSED', close_reason: 'stop_loss' });
    expect(await botView(botId)).toMatchObject({ paused: true, pausedUntil: streak.pausedUntil });

    // The streak pause ends: the day's loss is read at once, and the bot stays out until the next day.
    const count = (await tradesOf(botId)).length;
    while (clock.ms < until) await step();
    const daily = await botView(botId);
    expect(daily).toMatchObject({
      paused: true,
      pausedUntil: new Date((Math.floor(clock.ms / DAY) + 1) * DAY).toISOString(),
    });
    expect(daily.pauseReason).toMatch(/^risk limit: daily loss -\d+(\.\d+)?R reached the limit of -10R$/);
    expect((await tradesOf(botId)).length).toBe(count);
    expect(
      (await call(t, 'POST', `/api/bots/${botId}/command`, { token: trader, body: { command: 'stop' } }))
        .status,
    ).toBe(200);
  });

  it('exits on its sell signal a symbol it holds that its scan does not list', async () => {
    // The bot scans BTC/USDT only, yet holds ETH/USDT (a trade it took over).
    const botId = await startBot('outside-scan', 'streak_cross', ['BTC/USDT']);
    const opened = await call<{ id: string }>(t, 'POST', '/api/trades', {
      token: trader,
      body: { symbol: 'ETH/USDT', side: 'buy', amount: 0.1, accountId },
    });
    expect(opened.status).toBe(201);
    await query('UPDATE trades SET bot_id = $2 WHERE id = $1', [opened.body.id, botId]);
    let held = (await tradesOf(botId)).find((trade) => trade.id === opened.body.id)!;
    for (let i = 0; i < 90 && held.status !== 'CLOSED'; i++) {
      await step();
      held = (await tradesOf(botId)).find((trade) => trade.id === opened.body.id)!;
    }
    expect(held).toMatchObject({ status: 'CLOSED', close_reason: 'signal' });
    expect(
      (await call(t, 'POST', `/api/bots/${botId}/command`, { token: trader, body: { command: 'stop' } }))
        .status,
    ).toBe(200);
  });
});
