import { DataSource } from 'typeorm';
import { BotsService } from '../src/engine/bots.service';
import { EngineService } from '../src/engine/engine.service';
import { MarketSimulationService } from '../src/market/market-simulation.service';
import { Role } from '../src/platform/access/role';
import { TradeGuard } from '../src/trading/trade-guard.service';
import { EventBus } from '../src/platform/events/event-bus';
import { TradePrices } from '../src/trading/trade-prices.service';
import { TradesService } from '../src/trading/trades.service';
import { call, createKey, loginAdmin } from './support/auth-client';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';

const FIVE_MINUTES = 300_000;
const ONE_DAY = 86_400_000;

interface BotTrade {
  id: string;
  symbol: string;
  status: string;
  source: string;
  preset: string;
  initial_risk: string | null;
  risk_share: string | null;
  sized_by: string | null;
  entry_amount: string;
  entry_cost: string;
  close_reason: string | null;
}
interface Status {
  state: string;
  preset: string;
  mode: string;
  startedAt: string;
  slots: number;
  openPositions: number;
  latencyMs: number | null;
  dailyR: number;
  consecutiveLosses: number;
  meanRiskShare: number | null;
  sizedBy: { risk: number; cash: number; slot: number };
  paused: boolean;
  pausedUntil: string | null;
  pauseReason: string | null;
  running: boolean;
  killSwitch: boolean;
  stopEntries: boolean;
}
interface Command {
  success: boolean;
  message: string;
  status: Status;
}

// Simulated days of the market and the engine run here; the deadline only stops a hang.
jest.setTimeout(600_000);

describe('the engine (seed 002) on the simulated market and the paper exchange', () => {
  // Simulated time, moved by the test: the last UTC midnight at least three hours ago. A fixed time of
  // day keeps the file's days where its tests expect them whenever it runs (a start three hours before
  // the real time put the daily-loss test at 23:50, where its pause lifted during the no-entry check).
  const clock = new ManualClock(Math.floor((Date.now() - 3 * 3_600_000) / ONE_DAY) * ONE_DAY);
  let t: TestApp;
  let admin: string;
  let trader: string;
  let reader: string;
  let socket: TestSocket;

  const botTrades = () =>
    t.app
      .get(DataSource)
      .query<BotTrade[]>(
        `SELECT t.* FROM trades t JOIN bots b ON b.id = t.bot_id WHERE b.name = 'default' ORDER BY t.created_at, t.id`,
      );
  const botOrders = () =>
    t.app
      .get(DataSource)
      .query<Array<{ status: string }>>(
        `SELECT o.status FROM orders o JOIN bots b ON b.id = o.bot_id WHERE b.name = 'default'`,
      );
  /** Five simulated minutes: the market stores them, the engine runs a pass, the guard checks levels. */
  const step = async () => {
    clock.ms += FIVE_MINUTES;
    await t.app.get(MarketSimulationService).storeCompletedMinutes();
    await t.app.get(EngineService).tick();
    await t.app.get(TradeGuard).check();
  };
  const command = (body: object, token = trader) =>
    call<Command>(t, 'POST', '/api/engine/command', { token, body });
  const status = async () => (await call<Status>(t, 'GET', '/api/engine/status', { token: reader })).body;

  beforeAll(async () => {
    t = await startTestApp(
      {
        MARKET_BACKFILL_DAYS: '2',
        MARKET_SEED: '11',
        RATE_LIMIT_ADMIN: '100000',
        RATE_LIMIT_CONTROL: '100000',
        RATE_LIMIT_READ_ONLY: '100000',
      },
      { clock },
    );
    await t.app.get(MarketSimulationService).whenBackfilled();
    admin = (await loginAdmin(t)).accessToken;
    // Keys, not sessions: simulated days pass here, and sessions expire by the (simulated) clock.
    trader = (await createKey(t, admin, { name: 'trader', permissions: [Role.CONTROL] })).apiKey;
    reader = (await createKey(t, admin, { name: 'reader', permissions: [Role.READ_ONLY] })).apiKey;
    socket = await TestSocket.open(wsUrl(t.baseUrl, `/ws?token=${encodeURIComponent(reader)}`));
    socket.send({ type: 'subscribe', topics: ['engine', 'signals', 'alerts', 'scanner'] });
    await socket.next((message) => message.type === 'subscribed');
  });
  beforeEach(async () => {
    admin = (await loginAdmin(t)).accessToken;
  });
  afterAll(async () => {
    socket?.close();
    await t?.close();
  });

  it('starts breakout_v1 in paper mode: scans, emits SIGNALs, opens trades sized by risk, and reports it all', async () => {
    const before = await status();
    expect(before).toMatchObject({ state: 'IDLE', running: false });
    const started = await call<{ success: boolean; message: string; timestamp: string }>(
      t,
      'POST',
      '/api/engine/start',
      { token: trader, body: { preset: 'breakout_v1', mode: 'paper' } },
    );
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ success: true, message: 'Engine started successfully' });
    const startedAt = clock.ms;

    // Until the bot has opened a trade, within two simulated days.
    let trades: BotTrade[] = [];
    for (let i = 0; i < 576 && !trades.some((trade) => trade.status !== 'CANCELED'); i++) {
      await step();
      trades = await botTrades();
    }
    expect(trades.length).toBeGreaterThan(0);
    const opened = trades.find((trade) => trade.status !== 'CANCELED')!;
    expect(opened).toMatchObject({ source: 'bot', preset: 'breakout_v1' });
    // Risk per trade 0.6 % of about 10,000 USDT: about 60 USDT lost at the initial stop with the fees and
    // the spread, unless the stop is so tight that the position hit its slot's cap (a third of the
    // equity). The fill is the ask; the distance to the stop alone is less than the 60 (the costs).
    const risk = Number(opened.initial_risk);
    const value = Number(opened.entry_cost);
    expect(risk).toBeLessThan(60);
    expect(['risk', 'slot']).toContain(opened.sized_by);
    const share = Number(opened.risk_share);
    expect(
      opened.sized_by === 'risk' ? Math.abs(share / 0.006 - 1) < 0.05 : value >= (10_000 / 3) * 0.95,
    ).toBe(true);
    expect(share).toBeLessThanOrEqual(0.006 * 1.001);
    expect(value).toBeLessThan((10_000 / 3) * 1.02);

    // The socket's messages are read between the test's own awaits: wait for the ones it needs.
    await socket.next((message) => message.type === 'SIGNAL');
    await socket.next((message) => message.type === 'SCAN_RESULT');
    await socket.next((message) => message.type === 'ENGINE_UPDATE' && message.data.state === 'EXECUTION');
    const signals = socket.messages.filter((message) => message.type === 'SIGNAL');
    expect(signals.length).toBeGreaterThan(0);
    expect(signals[0].topic).toBe('signals');
    expect(signals[0].data).toMatchObject({ bot: 'default', preset: 'breakout_v1', action: 'buy' });
    await socket.next((message) => message.type === 'SIGNAL' && message.data.symbol === opened.symbol);
    expect(socket.messages.some((message) => message.type === 'SCAN_RESULT')).toBe(true);
    const updates = socket.messages.filter((message) => message.type === 'ENGINE_UPDATE');
    expect(updates.map((message) => message.data.state)).toEqual(
      expect.arrayContaining(['INITIALIZING', 'SCANNING', 'SIGNAL_WAIT', 'SIZING', 'EXECUTION']),
    );

    const now = await status();
    expect(now).toMatchObject({
      preset: 'breakout_v1',
      mode: 'paper',
      slots: 3,
      running: true,
      paused: false,
    });
    expect(['SIGNAL_WAIT', 'MANAGING']).toContain(now.state);
    expect(now.openPositions).toBe(trades.filter((trade) => trade.status === 'OPEN').length);
    expect(now.latencyMs).toBeGreaterThan(0);
    expect(typeof now.dailyR).toBe('number');
    expect(typeof now.consecutiveLosses).toBe('number');
    // What its trades were sized to risk, and by which rule.
    const sized = (await botTrades()).filter((trade) => trade.risk_share !== null);
    const shares = sized.map((trade) => Number(trade.risk_share));
    expect(now.meanRiskShare).toBeCloseTo(shares.reduce((sum, share) => sum + share, 0) / shares.length, 7);
    expect(now.sizedBy.risk + now.sizedBy.cash + now.sizedBy.slot).toBe(sized.length);
    const metrics = (await call<Record<string, number>>(t, 'GET', '/api/engine/metrics', { token: reader }))
      .body;
    expect(metrics.cycleCount).toBeGreaterThan(0);
    expect(metrics.avgLatencyMs).toBeGreaterThan(0);
    expect(metrics.totalSignals).toBeGreaterThanOrEqual(signals.length);
    expect(metrics.totalTrades).toBe(trades.length);
    expect(metrics.uptime).toBeGreaterThanOrEqual((clock.ms - startedAt) / 1000 - 1);
  });

  it('pause stops new entries and keeps managing exits; resume goes on', async () => {
    for (let i = 0; i < 576 && !(await botTrades()).some((trade) => trade.status === 'OPEN'); i++)
      await step();
    const open = (await botTrades()).find((trade) => trade.status === 'OPEN')!;
    expect(open).toBeDefined();
    const paused = await command({ command: 'pause', reason: 'test' });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toMatchObject({ state: 'PAUSED', paused: true });
    const count = (await botTrades()).length;
    // The open position's stop is moved above the price: it is closed while the bot is paused.
    const trades = t.app.get(TradesService);
    const price = (await t.app.get(TradePrices).priceOf(await trades.get(open.id)))!;
    await trades.updateLevels(open.id, { stopLoss: String(price * 1.01) });
    for (let i = 0; i < 24; i++) await step();
    const after = await botTrades();
    expect(after.length).toBe(count);
    expect(after.find((trade) => trade.id === open.id)).toMatchObject({
      status: 'CLOSED',
      close_reason: 'stop_loss',
    });
    expect((await status()).state).toBe('PAUSED');

    const resumed = await command({ command: 'resume' });
    expect(resumed.body.status).toMatchObject({ paused: false, running: true });
    expect(['SIGNAL_WAIT', 'MANAGING']).toContain(resumed.body.status.state);
  });

  it('stop_entries keeps exits, time_stop closes old positions, panic_exit leaves no open position or order', async () => {
    // Enough simulated time for some open positions.
    for (let i = 0; i < 576 && !(await botTrades()).some((trade) => trade.status === 'OPEN'); i++)
      await step();
    expect((await botTrades()).some((trade) => trade.status === 'OPEN')).toBe(true);

    const noEntries = await command({ command: 'stop_entries' });
    expect(noEntries.body.status.stopEntries).toBe(true);
    const count = (await botTrades()).length;
    for (let i = 0; i < 36; i++) await step();
    expect((await botTrades()).length).toBe(count);

    // The positions of then may have closed meanwhile (stop, target or the preset's own time stop): let
    // the bot open some again, and stop those by time.
    await command({ command: 'resume' });
    for (let i = 0; i < 576 && !(await botTrades()).some((trade) => trade.status === 'OPEN'); i++)
      await step();
    const openBefore = (await botTrades())
      .filter((trade) => trade.status === 'OPEN')
      .map((trade) => trade.id);
    expect(openBefore.length).toBeGreaterThan(0);
    const timeStop = await command({ command: 'time_stop', parameters: { olderThanMinutes: 0 } });
    expect(timeStop.status).toBe(200);
    expect(timeStop.body.message).toMatch(new RegExp(`\\b${openBefore.length} position\\(s\\)`));
    const afterTimeStop = await botTrades();
    for (const id of openBefore) {
      expect(afterTimeStop.find((trade) => trade.id === id)).toMatchObject({
        status: 'CLOSED',
        close_reason: 'time_stop',
      });
    }
    expect(afterTimeStop.some((trade) => trade.status === 'OPEN')).toBe(false);

    for (let i = 0; i < 576 && !(await botTrades()).some((trade) => trade.status === 'OPEN'); i++)
      await step();
    expect((await botTrades()).some((trade) => trade.status === 'OPEN')).toBe(true);
    const panic = await command({ command: 'panic_exit', reason: 'test' });
    expect(panic.status).toBe(200);
    expect(panic.body.status).toMatchObject({ state: 'IDLE', running: false });
    expect(
      (await botTrades()).filter((trade) => trade.status !== 'CLOSED' && trade.status !== 'CANCELED'),
    ).toEqual([]);
    expect(
      (await botOrders()).filter((order) =>
        ['OPEN', 'PARTIALLY_FILLED', 'PENDING_SUBMIT', 'UNKNOWN'].includes(order.status),
      ),
    ).toEqual([]);
    const alert = await socket.next(
      (message) => message.type === 'alert' && message.data.code === 'PANIC_EXIT',
    );
    expect(alert.topic).toBe('alerts');
  });

  it('kill_switch refuses start until an ADMIN resets it', async () => {
    const start = () =>
      call<{ error: string; message: string }>(t, 'POST', '/api/engine/start', {
        token: trader,
        body: { preset: 'breakout_v1', mode: 'paper' },
      });
    expect((await start()).status).toBe(200);
    const killed = await command({ command: 'kill_switch', reason: 'test' });
    expect(killed.body.status).toMatchObject({ state: 'EMERGENCY', killSwitch: true, running: false });
    const refused = await start();
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('kill switch');
    expect((await command({ command: 'reset_kill_switch' })).status).toBe(403);
    const reset = await command({ command: 'reset_kill_switch' }, admin);
    expect(reset.status).toBe(200);
    expect(reset.body.status).toMatchObject({ state: 'IDLE', killSwitch: false });
    expect((await start()).status).toBe(200);
    expect((await status()).running).toBe(true);
  });

  it('a day losing more than dailyLossLimitR pauses the bot and raises an alert', async () => {
    await call(t, 'PUT', '/api/presets/breakout_v1', {
      token: admin,
      body: { risk: { dailyLossLimitR: 0.1 } },
    });
    await command({ command: 'restart' });
    // Trade until a loss of at least 0.1R closes: the market's own, or a position whose stop the price
    // is made to fall through (its stop moved above the price).
    const trades = t.app.get(TradesService);
    let forced = false;
    for (let i = 0; i < 576 && !(await status()).paused; i++) {
      await step();
      const open = (await botTrades()).find((trade) => trade.status === 'OPEN');
      if (open && !forced) {
        const price = (await t.app.get(TradePrices).priceOf(await trades.get(open.id)))!;
        await trades.updateLevels(open.id, { stopLoss: String(price * 1.01) });
        forced = true;
      }
    }
    const now = await status();
    expect(now).toMatchObject({ paused: true, state: 'PAUSED', running: true });
    expect(now.pauseReason).toMatch(/^risk limit: daily loss -\d+(\.\d+)?R reached the limit of -0.1R$/);
    const alert = await socket.next(
      (message) => message.type === 'alert' && message.data.code === 'DAILY_LOSS_LIMIT',
    );
    expect(alert.data).toMatchObject({ level: 'warning', source: 'engine' });
    const lossR = Number(/daily loss (-[\d.]+)R/.exec(String(alert.data.message))![1]);
    expect(lossR).toBeLessThanOrEqual(-0.1);
    // Paused: no new entries.
    const count = (await botTrades()).length;
    for (let i = 0; i < 24; i++) await step();
    expect((await botTrades()).length).toBe(count);
    // Until the next UTC day, when the pause lifts by itself.
    const nextDay = new Date((Math.floor(clock.ms / ONE_DAY) + 1) * ONE_DAY).toISOString();
    expect((await status()).pausedUntil).toBe(nextDay);
    clock.ms = Date.parse(nextDay) - FIVE_MINUTES;
    await t.app.get(EngineService).tick();
    expect(await status()).toMatchObject({ paused: true, pausedUntil: nextDay });
    clock.ms = Date.parse(nextDay);
    await t.app.get(EngineService).tick();
    expect(await status()).toMatchObject({ paused: false, pausedUntil: null, pauseReason: null, dailyR: 0 });
    const lifted = await socket.next(
      (message) => message.type === 'alert' && message.data.code === 'RISK_PAUSE_LIFTED',
    );
    expect(lifted.data).toMatchObject({ level: 'info', source: 'engine' });
    // A new day: today's drawdown starts again, the run's keeps the loss.
    const metrics = (
      await call<{ maxDrawdownR: number; dailyMaxDrawdownR: number }>(t, 'GET', '/api/engine/metrics', {
        token: reader,
      })
    ).body;
    expect(metrics.dailyMaxDrawdownR).toBe(0);
    expect(metrics.maxDrawdownR).toBeGreaterThanOrEqual(-lossR);
  });

  it('answers commands that do not apply with 409 and bad ones with 400', async () => {
    const retry = await command({ command: 'retry' });
    expect(retry.status).toBe(409);
    const unknown = await command({ command: 'moon' });
    expect(unknown.status).toBe(400);
    for (const olderThanMinutes of [-5, 'abc', 1.5]) {
      const badTimeStop = await call<{ error: string; message: string }>(t, 'POST', '/api/engine/command', {
        token: trader,
        body: { command: 'time_stop', parameters: { olderThanMinutes } },
      });
      expect([badTimeStop.status, badTimeStop.body.error, badTimeStop.body.message]).toEqual([
        400,
        'VALIDATION_ERROR',
        'parameters.olderThanMinutes: must be a whole number of minutes from 0 to 525600',
      ]);
    }
    const live = await call(t, 'POST', '/api/engine/start', {
      token: trader,
      body: { preset: 'breakout_v1', mode: 'live' },
    });
    expect(live.status).toBe(400);
    const noPreset = await call(t, 'POST', '/api/bots', {
      token: trader,
      body: { name: 'x1', preset: 'nope', mode: 'paper' },
    });
    expect(noPreset.status).toBe(404);
    expect(
      (await call(t, 'POST', '/api/engine/command', { token: reader, body: { command: 'pause' } })).status,
    ).toBe(403);
  });

  it('runs other bots beside the default one through /api/bots', async () => {
    const created = await call<{
      id: string;
      name: string;
      running: boolean;
      preset: string;
      metrics: { cycleCount: number };
    }>(t, 'POST', '/api/bots', {
      token: trader,
      body: { name: 'rsi-bot', preset: 'rsi_mean_reversion_v1', mode: 'paper', start: true },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'rsi-bot', running: true, preset: 'rsi_mean_reversion_v1' });
    const again = await call(t, 'POST', '/api/bots', {
      token: trader,
      body: { name: 'rsi-bot', preset: 'breakout_v1', mode: 'paper' },
    });
    expect(again.status).toBe(409);
    for (let i = 0; i < 3; i++) await step();
    const list = await call<{ items: Array<{ name: string; running: boolean }>; total: number }>(
      t,
      'GET',
      '/api/bots',
      {
        token: reader,
      },
    );
    expect(list.body.items.map((bot) => bot.name).sort()).toEqual(['default', 'rsi-bot']);
    const one = await call<{ metrics: { cycleCount: number }; state: string }>(
      t,
      'GET',
      `/api/bots/${created.body.id}`,
      {
        token: reader,
      },
    );
    expect(one.body.metrics.cycleCount).toBeGreaterThan(0);
    const stopped = await call<Command>(t, 'POST', `/api/bots/${created.body.id}/command`, {
      token: trader,
      body: { command: 'stop' },
    });
    expect(stopped.status).toBe(200);
    expect(stopped.body.status).toMatchObject({ state: 'IDLE', running: false });
    expect(
      (await call(t, 'GET', '/api/bots/8c1e6c1e-0000-4000-8000-000000000000', { token: reader })).status,
    ).toBe(404);
  });

  it('gives each paper bot its capital: its own paper account, or a share of a shared one', async () => {
    interface Capital {
      paperAccount: string | null;
      sharedAccount: boolean;
      capital: number | null;
      capitalPercent: number | null;
      equity: number | null;
      accountEquity: number | null;
    }
    const own = await call<{ capital: Capital }>(t, 'POST', '/api/bots', {
      token: trader,
      body: { name: 'capital-bot', preset: 'breakout_v1', mode: 'paper', capital: 2000 },
    });
    expect(own.status).toBe(201);
    expect(own.body.capital).toEqual({
      paperAccount: 'bot-capital-bot',
      sharedAccount: false,
      capital: 2000,
      capitalPercent: null,
      equity: 2000,
      accountEquity: 2000,
    });
    const balances = await call<{ account: string; items: Array<{ currency: string; total: number }> }>(
      t,
      'GET',
      '/api/balances?account=bot-capital-bot',
      { token: reader },
    );
    expect(balances.body.account).toBe('bot-capital-bot');
    expect(balances.body.items).toEqual([expect.objectContaining({ currency: 'USDT', total: 2000 })]);

    const shared = await call<{ capital: Capital }>(t, 'POST', '/api/bots', {
      token: trader,
      body: {
        name: 'share-bot',
        preset: 'breakout_v1',
        mode: 'paper',
        sharedPaperAccount: 'default',
        capitalPercent: 25,
      },
    });
    expect(shared.status).toBe(201);
    expect(shared.body.capital).toMatchObject({
      paperAccount: 'default',
      sharedAccount: true,
      capitalPercent: 25,
    });
    expect(shared.body.capital.accountEquity).toBeGreaterThan(0);
    expect(shared.body.capital.equity).toBeCloseTo(shared.body.capital.accountEquity! / 4, 1);

    const refused = async (body: Record<string, unknown>) =>
      (
        await call(t, 'POST', '/api/bots', {
          token: trader,
          body: { preset: 'breakout_v1', mode: 'paper', ...body },
        })
      ).status;
    expect(await refused({ name: 'both-bot', capital: 100, capitalPercent: 10 })).toBe(400);
    expect(await refused({ name: 'percent-bot', capitalPercent: 10 })).toBe(400);
    expect(await refused({ name: 'negative-bot', capital: -5 })).toBe(400);
    expect(await refused({ name: 'big-bot', sharedPaperAccount: 'default', capitalPercent: 101 })).toBe(400);
    expect(
      await refused({ name: 'live-bot', mode: 'live', accountId: 'x', sharedPaperAccount: 'default' }),
    ).toBe(400);
    // An exchange account that does not exist (an id that is not even a uuid) is a 404, never a 500.
    expect(await refused({ name: 'nowhere-bot', mode: 'live', accountId: 'x' })).toBe(404);
    const names = (await call<{ items: Array<{ name: string }> }>(t, 'GET', '/api/bots', { token: reader }))
      .body.items;
    expect(
      names.some(
        (bot) => bot.name.endsWith('-bot') && !['capital-bot', 'share-bot', 'rsi-bot'].includes(bot.name),
      ),
    ).toBe(false);
    expect((await call(t, 'GET', '/api/balances?account=no-such-account', { token: reader })).status).toBe(
      404,
    );
  });

  it('scans every scanIntervalSeconds of candle closes, however late in the second after a close its cycle runs', async () => {
    const preset = await call(t, 'POST', '/api/presets', {
      token: admin,
      body: {
        name: 'scan_every_15m',
        strategy: { name: 'breakout', parameters: {} },
        timeframe: '5m',
        scannerConfig: {
          scanIntervalSeconds: 900,
          filters: { minQuoteVolume24h: 0, minAtrPct: 0, maxAtrPct: 1, minVolumeSurge: 0 },
        },
      },
    });
    expect(preset.status).toBe(201);
    const bot = await call<{ id: string }>(t, 'POST', '/api/bots', {
      token: trader,
      body: { name: 'scan-bot', preset: 'scan_every_15m', mode: 'paper', start: true },
    });
    expect(bot.status).toBe(201);
    const scannedAt: number[] = [];
    const off = t.app.get(EventBus).on('scanner.result', (result) => {
      if (result.botId === bot.body.id) scannedAt.push(clock.ms);
    });
    try {
      // A real process's cycle runs a varying moment after each close: 1.5 s after the first scan's,
      // 0.1 s after the close 15 minutes later, which is due all the same.
      for (const delay of [1500, 200, 900, 100, 1200, 300, 700, 50, 1000, 400]) {
        clock.ms = (Math.floor(clock.ms / FIVE_MINUTES) + 1) * FIVE_MINUTES + delay;
        await t.app.get(MarketSimulationService).storeCompletedMinutes();
        await t.app.get(EngineService).tick();
      }
    } finally {
      off();
    }
    const closes = scannedAt.map((ms) => Math.floor(ms / FIVE_MINUTES) * FIVE_MINUTES);
    expect(closes.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < closes.length; i++) expect(closes[i] - closes[i - 1]).toBe(3 * FIVE_MINUTES);
    await call(t, 'POST', `/api/bots/${bot.body.id}/command`, { token: trader, body: { command: 'stop' } });
  });

  it('POST /api/engine/stop with cancelOrders cancels the resting orders of the default bot', async () => {
    const start = await call(t, 'POST', '/api/engine/start', {
      token: trader,
      body: { preset: 'breakout_v1', mode: 'paper' },
    });
    expect(start.status).toBe(200);
    const bot = (await t.app.get(BotsService).byName('default'))!;
    // A resting buy far below the market, the bot's own.
    const resting = await call<{ id: string; status: string }>(t, 'POST', '/api/orders', {
      token: trader,
      body: { symbol: 'ETH/USDT', side: 'buy', type: 'limit', amount: 0.1, price: 100 },
    });
    expect(resting.body.status).toBe('OPEN');
    await t.app
      .get(DataSource)
      .query('UPDATE orders SET bot_id = $2 WHERE id = $1', [resting.body.id, bot.id]);
    const stopped = await call<{ success: boolean; message: string }>(t, 'POST', '/api/engine/stop', {
      token: trader,
      body: { cancelOrders: true },
    });
    expect(stopped.status).toBe(200);
    expect(stopped.body.message).toBe('Engine stopped successfully; 1 order(s) canceled');
    const order = await call<{ status: string }>(t, 'GET', `/api/orders/${resting.body.id}`, {
      token: reader,
    });
    expect(order.body.status).toBe('CANCELED');
    expect((await status()).running).toBe(false);
  });
});
