import { DataSource } from 'typeorm';
import { CandleStreams } from '../src/engine/candle-streams';
import { ExchangeStreams } from '../src/exchange/exchange-streams.service';
import { call } from './support/auth-client';
import { FakeBinance } from './support/fake-exchange/fake-binance';
import { ManualClock } from './support/manual-clock';
import { startLiveBotApp } from './support/live-bot-app';
import { TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';

const MINUTE = 60_000;
const BINANCE_SECRET = 'stream-binance-secret-0123456789ab';

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  deadlineMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('live data over the exchange WebSockets (ccxt.pro against the fake Binance)', () => {
  // Ten seconds into a minute: the last candle closed long enough ago for REST to serve it.
  const clock = new ManualClock(Math.floor((Date.now() - 3_600_000) / MINUTE) * MINUTE + 10_000);
  const fake = new FakeBinance('stream-binance-key-000001', BINANCE_SECRET);
  fake.marketNow = () => clock.ms;
  let t: TestApp;
  let trader: string;
  let reader: string;
  let accountId: string;

  beforeAll(async () => {
    await fake.start();
    let adminKey: string;
    ({ t, adminKey, trader, reader, accountId } = await startLiveBotApp(fake, BINANCE_SECRET, clock, {
      streams: true,
      // Fills must come from the stream: the reconciler's pass would find them only after an hour.
      env: { RECONCILE_INTERVAL_MS: '3600000' },
    }));
    const preset = await call(t, 'POST', '/api/presets', {
      token: adminKey,
      body: {
        name: 'streamed_cross',
        strategy: { name: 'ema_cross', parameters: { fast: 2, slow: 3, atrStop: 3, rewardRisk: 20 } },
        timeframe: '1m',
        risk: { maxConcurrentPositions: 1, trailingStopR: null },
        scannerConfig: {
          maxCandidates: 10,
          filters: { minQuoteVolume24h: 0, minAtrPct: 0, maxAtrPct: 1, minVolumeSurge: 0 },
        },
      },
    });
    expect(preset.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await fake.stop();
  });

  it('a fill on the exchange reaches ORDER_FILLED on our WebSocket within 200 ms, from the order stream', async () => {
    const socket = await TestSocket.open(wsUrl(t.baseUrl, `/ws?token=${encodeURIComponent(reader)}`));
    try {
      socket.send({ type: 'subscribe', topics: ['orders'] });
      await socket.next((message) => message.type === 'subscribed');
      const placed = await call<{ id: string; clientOrderId: string; status: string }>(
        t,
        'POST',
        '/api/orders',
        {
          token: trader,
          body: { symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.002, price: 50_000, accountId },
        },
      );
      expect(placed.status).toBe(201);
      expect(placed.body.status).toBe('OPEN');
      // The placement started the account's order stream (signed on the WebSocket API).
      await until('the user data stream', () => fake.userStreamCount === 1);
      await until('our side listening', () => t.app.get(ExchangeStreams).ordersStreaming(accountId));
      expect(fake.rejectedSignatures).toBe(0);
      const from = socket.messages.length;
      const started = performance.now();
      fake.fillResting(placed.body.clientOrderId);
      const filled = await socket.next(
        (message) =>
          message.type === 'ORDER_FILLED' && (message.data as { id?: string }).id === placed.body.id,
        2_000,
        from,
      );
      const elapsed = performance.now() - started;
      expect(filled.data).toMatchObject({ status: 'FILLED', filled: 0.002 });
      expect(elapsed).toBeLessThan(200);

      // A fill while the stream is down is not in it: once it is back, the account's orders under
      // way are looked up (the reconciler's own pass is an hour away).
      const resting = await call<{ id: string; clientOrderId: string }>(t, 'POST', '/api/orders', {
        token: trader,
        body: { symbol: 'ETH/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 2_000, accountId },
      });
      expect(resting.status).toBe(201);
      const afterDrop = socket.messages.length;
      fake.dropStreams();
      fake.fillResting(resting.body.clientOrderId);
      const caughtUp = await socket.next(
        (message) =>
          message.type === 'ORDER_FILLED' && (message.data as { id?: string }).id === resting.body.id,
        5_000,
        afterDrop,
      );
      expect(caughtUp.data).toMatchObject({ status: 'FILLED', filled: 0.01 });
    } finally {
      socket.close();
    }
  });

  it('a live bot decides on a candle from the kline stream as it closes; a dropped stream reconnects and the missed candles are backfilled', async () => {
    const created = await call<{ id: string }>(t, 'POST', '/api/bots', {
      token: trader,
      body: {
        name: 'streamed',
        preset: 'streamed_cross',
        mode: 'live',
        accountId,
        symbols: ['BTC/USDT', 'ETH/USDT'],
        start: true,
      },
    });
    expect(created.status).toBe(201);
    const botId = created.body.id;
    const processedThrough = async () =>
      (await call<{ processedThrough: string | null }>(t, 'GET', `/api/bots/${botId}`, { token: reader }))
        .body.processedThrough;
    await until('the kline subscriptions', () =>
      ['btcusdt@kline_1m', 'ethusdt@kline_1m'].every((stream) => fake.subscribedStreams.includes(stream)),
    );
    const before = await processedThrough();

    // The minute closes. Polling alone would wait for the close to settle (2 s on the exchange's clock,
    // which stands still here): no decision comes without the stream.
    const close = Math.floor(clock.ms / MINUTE) * MINUTE + MINUTE;
    clock.ms = close;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await processedThrough()).toBe(before);
    const started = performance.now();
    fake.closeKlines('1m');
    const decided = await until('the decision', async () => {
      const through = await processedThrough();
      return through === new Date(close - MINUTE).toISOString() ? through : undefined;
    });
    const elapsed = performance.now() - started;
    expect(decided).toBe(new Date(close - MINUTE).toISOString());
    expect(elapsed).toBeLessThan(1_000);
    expect(t.app.get(CandleStreams).stored).toBeGreaterThanOrEqual(2);

    // The streams drop; three minutes pass without them; they come back by themselves.
    const connections = fake.connections.market;
    const klineRequests = fake.seen('GET', '/api/v3/klines');
    fake.dropStreams();
    clock.ms = close + 3 * MINUTE;
    await until(
      'the reconnection',
      () => fake.connections.market > connections && fake.subscribedStreams.length >= 2,
    );
    fake.closeKlines('1m');
    const openTimes = async () =>
      (
        await t.app.get(DataSource).query<Array<{ t: Date }>>(
          `SELECT open_time AS t FROM candles WHERE exchange = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '1m'
               AND open_time >= $1 AND open_time <= $2 ORDER BY open_time`,
          [new Date(close - MINUTE), new Date(close + 2 * MINUTE)],
        )
      ).map((row) => new Date(row.t).getTime());
    // The streamed candles before the drop and after it, and those missed in between through REST.
    await until('no holes in the stored candles', async () =>
      (await openTimes()).length === 4 ? true : undefined,
    );
    expect(await openTimes()).toEqual([close - MINUTE, close, close + MINUTE, close + 2 * MINUTE]);
    expect(fake.seen('GET', '/api/v3/klines')).toBeGreaterThan(klineRequests);
    await until('the decision after the drop', async () =>
      (await processedThrough()) === new Date(close + 2 * MINUTE).toISOString() ? true : undefined,
    );
    expect(t.app.get(ExchangeStreams).ordersFollowed).toEqual([accountId]);
    const stopped = await call(t, 'POST', `/api/bots/${botId}/command`, {
      token: trader,
      body: { command: 'stop' },
    });
    expect(stopped.status).toBe(200);
  });
});
