import { DataSource } from 'typeorm';
import { EngineService } from '../src/engine/engine.service';
import { CandleRepository } from '../src/market/candle.repository';
import { MarketSimulationService, SIMULATED_EXCHANGE } from '../src/market/market-simulation.service';
import { aggregateCandles } from '../src/market/timeframes';
import { Role } from '../src/platform/access/role';
import { call, createKey, loginAdmin } from './support/auth-client';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';

const QUARTER = 900_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 16, 10);
const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];

interface SignalResult {
  signalId: string;
  outcome: string;
  detail: string;
  tradeIds: string[];
  duplicate: boolean;
}

const clock = new ManualClock(T0);
let t: TestApp;
let root: string;
let reader: string;
let botId: string;
let token: string;

const signal = (body: Record<string, unknown>, withToken = token) =>
  call<SignalResult & { error?: string; message?: string }>(t, 'POST', `/api/signals/${withToken}`, { body });
const botTrades = () =>
  t.app
    .get(DataSource)
    .query<Array<{ id: string; symbol: string; status: string }>>(
      `SELECT id, symbol, status FROM trades WHERE bot_id = $1 ORDER BY created_at`,
      [botId],
    );

beforeAll(async () => {
  t = await startTestApp({ MARKET_LIVE_CANDLES: 'false', RATE_LIMIT_ANONYMOUS: '100000' }, { clock });
  root = (await loginAdmin(t)).accessToken;
  reader = (await createKey(t, root, { name: 'signals reader', permissions: [Role.READ_ONLY] })).apiKey;
  const simulation = t.app.get(MarketSimulationService);
  const rows = SYMBOLS.flatMap((symbol) => {
    const minutes = simulation.market.candles(
      simulation.pairs.findIndex((pair) => pair.symbol === symbol),
      T0 - 4 * DAY,
      T0,
    );
    return [
      ...aggregateCandles(minutes, 60_000, QUARTER).map((candle) => ({
        ...candle,
        symbol,
        timeframe: '15m' as const,
      })),
      ...aggregateCandles(minutes, 60_000, 4 * QUARTER).map((candle) => ({
        ...candle,
        symbol,
        timeframe: '1h' as const,
      })),
    ];
  });
  await t.app.get(CandleRepository).insertMany(SIMULATED_EXCHANGE, rows);
  expect(
    (
      await call(t, 'POST', '/api/presets', {
        token: root,
        body: {
          name: 'signal_driven',
          strategy: { name: 'ema_cross' },
          timeframe: '15m',
          scannerConfig: { universe: SYMBOLS },
        },
      })
    ).status,
  ).toBe(201);
  const bot = await call<{ id: string }>(t, 'POST', '/api/bots', {
    token: root,
    body: { name: 'tv-bot', preset: 'signal_driven', mode: 'paper', start: true },
  });
  expect(bot.status).toBe(201);
  botId = bot.body.id;
  await t.app.get(EngineService).tick();
  const issued = await call<{ token: string; url: string }>(t, 'POST', `/api/bots/${botId}/signal-token`, {
    token: root,
  });
  expect(issued.status).toBe(201);
  token = issued.body.token;
});

afterAll(async () => {
  await t?.close();
});

describe('inbound signals (POST /api/signals/:token)', () => {
  it('gives a signal URL only to CONTROL, shows the token once and stores it hashed', async () => {
    expect((await call(t, 'POST', `/api/bots/${botId}/signal-token`, { apiKey: reader })).status).toBe(403);
    const [stored] = await t.app
      .get(DataSource)
      .query<Array<{ signal_token_hash: string }>>('SELECT signal_token_hash FROM bots WHERE id = $1', [
        botId,
      ]);
    expect(stored.signal_token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.signal_token_hash).not.toContain(token);
  });

  it('a buy sent twice with the same id opens one trade; a close sells it', async () => {
    const first = await signal({ action: 'buy', symbol: 'ETH/USDT', id: 'tv-1', comment: 'cross up' });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ outcome: 'acted', duplicate: false });
    expect(first.body.tradeIds).toHaveLength(1);
    const again = await signal({ action: 'buy', symbol: 'ETH/USDT', id: 'tv-1', comment: 'cross up' });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({
      signalId: first.body.signalId,
      duplicate: true,
      tradeIds: first.body.tradeIds,
    });
    expect((await botTrades()).filter((trade) => trade.symbol === 'ETH/USDT')).toHaveLength(1);
    // The same body without an id within 60 s also acts once.
    const plain = await signal({ action: 'buy', symbol: 'SOL/USDT' });
    const plainAgain = await signal({ action: 'buy', symbol: 'SOL/USDT' });
    expect([plain.body.duplicate, plainAgain.body.duplicate]).toEqual([false, true]);
    expect((await botTrades()).filter((trade) => trade.symbol === 'SOL/USDT')).toHaveLength(1);

    for (let i = 0; i < 50 && (await botTrades()).some((trade) => trade.status !== 'OPEN'); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = await signal({ action: 'close', symbol: 'ETH/USDT', id: 'tv-2' });
    expect(closed.body).toMatchObject({ outcome: 'acted', tradeIds: first.body.tradeIds });
    const nothing = await signal({ action: 'sell', symbol: 'BTC/USDT', id: 'tv-3' });
    expect(nothing.body).toMatchObject({ outcome: 'ignored', detail: 'tv-bot holds no BTC/USDT' });
  });

  it('refuses a bad token, a bad body, a symbol outside the bot and a paused bot, and changes nothing', async () => {
    const before = (await botTrades()).length;
    expect((await signal({ action: 'buy', symbol: 'BTC/USDT' }, 'tps_not-a-token')).status).toBe(404);
    expect((await signal({ action: 'moon', symbol: 'BTC/USDT' })).status).toBe(400);
    expect((await signal({ action: 'buy' })).status).toBe(400);
    const outside = await signal({ action: 'buy', symbol: 'DOGE/USDT', id: 'tv-outside' });
    expect(outside.status).toBe(400);
    expect(outside.body.message).toContain("not in tv-bot's universe");
    expect(
      (await call(t, 'POST', `/api/bots/${botId}/command`, { token: root, body: { command: 'pause' } }))
        .status,
    ).toBe(200);
    try {
      const paused = await signal({ action: 'buy', symbol: 'BTC/USDT', id: 'tv-paused' });
      expect(paused.status).toBe(409);
      // Its replay is refused the same way and does not act either.
      expect((await signal({ action: 'buy', symbol: 'BTC/USDT', id: 'tv-paused' })).status).toBe(409);
    } finally {
      await call(t, 'POST', `/api/bots/${botId}/command`, { token: root, body: { command: 'resume' } });
    }
    expect((await botTrades()).length).toBe(before);
    const listed = await call<{
      signals: Array<{ externalId: string | null; outcome: string; status: number }>;
    }>(t, 'GET', `/api/bots/${botId}/signals`, { apiKey: reader });
    expect(listed.status).toBe(200);
    expect(listed.body.signals.find((row) => row.externalId === 'tv-outside')).toMatchObject({
      outcome: 'refused',
      status: 400,
    });
    expect(listed.body.signals.find((row) => row.externalId === 'tv-paused')).toMatchObject({
      outcome: 'refused',
      status: 409,
    });
  });

  it('a new token replaces the old one, and a revoked URL answers 404', async () => {
    const rotated = await call<{ token: string }>(t, 'POST', `/api/bots/${botId}/signal-token`, {
      token: root,
    });
    expect((await signal({ action: 'sell', symbol: 'BTC/USDT', id: 'old' })).status).toBe(404);
    expect((await signal({ action: 'sell', symbol: 'BTC/USDT', id: 'new' }, rotated.body.token)).status).toBe(
      202,
    );
    expect((await call(t, 'DELETE', `/api/bots/${botId}/signal-token`, { token: root })).status).toBe(204);
    expect(
      (await signal({ action: 'sell', symbol: 'BTC/USDT', id: 'gone' }, rotated.body.token)).status,
    ).toBe(404);
    token = (await call<{ token: string }>(t, 'POST', `/api/bots/${botId}/signal-token`, { token: root }))
      .body.token;
  });

  it('limits a signal URL to 30 signals a minute (429), whatever they ask', async () => {
    const idle = await call<{ id: string }>(t, 'POST', '/api/bots', {
      token: root,
      body: { name: 'tv-limited', preset: 'signal_driven', mode: 'paper' },
    });
    const limited = (
      await call<{ token: string }>(t, 'POST', `/api/bots/${idle.body.id}/signal-token`, { token: root })
    ).body.token;
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++)
      statuses.push((await signal({ action: 'sell', symbol: 'BTC/USDT', id: `n${i}` }, limited)).status);
    // Not running: each refused with 409, until the 31st of the minute.
    expect(statuses.slice(0, 30).every((status) => status === 409)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('start_deal starts a DCA bot’s deal once; a strategy bot refuses it and a DCA bot refuses buy', async () => {
    const preset = await call(t, 'POST', '/api/presets', {
      token: root,
      body: {
        name: 'signal_dca',
        kind: 'dca',
        scannerConfig: { universe: ['BTC/USDT', 'ETH/USDT'] },
        dca: { maxActiveDeals: 2, cooldownSeconds: 0, startCondition: 'manual' },
      },
    });
    expect(preset.status).toBe(201);
    const dca = await call<{ id: string }>(t, 'POST', '/api/bots', {
      token: root,
      body: { name: 'tv-dca', preset: 'signal_dca', mode: 'paper', capital: 5000, start: true },
    });
    expect(dca.status).toBe(201);
    await t.app.get(EngineService).tick();
    const dcaToken = (
      await call<{ token: string }>(t, 'POST', `/api/bots/${dca.body.id}/signal-token`, { token: root })
    ).body.token;
    const started = await signal({ action: 'start_deal', symbol: 'ETH/USDT', id: 'deal-1' }, dcaToken);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ outcome: 'acted', duplicate: false });
    const dealId = (started.body as unknown as { dealId: string }).dealId;
    expect(dealId).toMatch(/^[0-9a-f-]{36}$/);
    const replay = await signal({ action: 'start_deal', symbol: 'ETH/USDT', id: 'deal-1' }, dcaToken);
    expect(replay.body).toMatchObject({ duplicate: true, dealId });
    const deals = await call<{ items: Array<{ id: string; symbol: string }> }>(
      t,
      'GET',
      `/api/dca/deals?botId=${dca.body.id}`,
      {
        apiKey: reader,
      },
    );
    expect(deals.body.items.map((deal) => deal.id)).toEqual([dealId]);
    expect((await signal({ action: 'buy', symbol: 'BTC/USDT', id: 'dca-buy' }, dcaToken)).status).toBe(400);
    expect((await signal({ action: 'start_deal', symbol: 'BTC/USDT', id: 'strategy-deal' })).status).toBe(
      400,
    );
  });
});
