import { DataSource } from 'typeorm';
import { ThreeCommasClient, ThreeCommasError } from '../src/integrations/three-commas-client';
import { Role } from '../src/platform/access/role';
import { FINISHED_JOB_STATES, JobQueue, JobView } from '../src/platform/jobs/job-queue';
import { Clock } from '../src/platform/time/clock';
import { SyncService } from '../src/sync/sync.service';
import { call, createKey, loginAdmin } from './support/auth-client';
import { FakeBinance } from './support/fake-exchange/fake-binance';
import { FakeThreeCommas } from './support/fake-three-commas';
import { startTestApp, TestApp } from './support/test-app';

const TC_KEY = 'tc-api-key-0123456789-abcd';
const TC_SECRET = 'tc-api-secret-0123456789abcdef0123456789';
const BINANCE_SECRET = 'sync-binance-secret-0123456789abc';

interface SyncRunView {
  id: string;
  state: string;
  progress: number;
  fetched: number;
  imported: number;
  skipped: number;
  matched: number;
  details: Record<string, number>;
  errors: string[];
}

describe('3Commas client against the fake 3Commas', () => {
  it('never exceeds the per-minute limit when asked for more, waiting for room instead', async () => {
    const fake = new FakeThreeCommas(TC_KEY, TC_SECRET, { perWindow: 10, windowMs: 1_000, blockSeconds: 60 });
    await fake.start();
    try {
      const client = new ThreeCommasClient(TC_KEY, TC_SECRET, {
        baseUrl: fake.baseUrl,
        limits: {
          windowMs: 1_000,
          overall: 10,
          routes: { accounts: 10, bots: 10, deals: 10, botActions: 10 },
        },
      });
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 25 }, () => client.accounts(10_000)));
      expect(answers.every((accounts) => accounts[0].id === 31001)).toBe(true);
      expect(fake.rateLimited).toBe(0);
      expect(fake.peakInWindow).toBeLessThanOrEqual(10);
      expect(fake.seen('GET', '/ver1/accounts')).toBe(25);
      // 25 requests at 10 a second need two full windows of waiting.
      expect(performance.now() - started).toBeGreaterThanOrEqual(2_000);
    } finally {
      await fake.stop();
    }
  });

  it('keeps a route within its own stricter limit', async () => {
    const fake = new FakeThreeCommas(TC_KEY, TC_SECRET, {
      perWindow: 100,
      windowMs: 1_000,
      blockSeconds: 60,
    });
    await fake.start();
    try {
      const client = new ThreeCommasClient(TC_KEY, TC_SECRET, {
        baseUrl: fake.baseUrl,
        limits: {
          windowMs: 1_000,
          overall: 100,
          routes: { accounts: 100, bots: 100, deals: 3, botActions: 100 },
        },
      });
      // A budget that would need more than the caller may wait is refused without calling.
      await Promise.all([0, 1, 2].map(() => client.deals({ limit: 10, offset: 0 }, 0)));
      await expect(client.deals({ limit: 10, offset: 0 }, 100)).rejects.toMatchObject({
        status: 429,
        code: 'paced',
      });
      expect(fake.seen('GET', '/ver1/deals')).toBe(3);
      // Other routes are not held up by it.
      await expect(client.accounts(0)).resolves.toHaveLength(1);
    } finally {
      await fake.stop();
    }
  });

  it('after a 429 calls nothing until the block has passed (calling on would get a ban)', async () => {
    const fake = new FakeThreeCommas(TC_KEY, TC_SECRET, { perWindow: 2, windowMs: 60_000, blockSeconds: 1 });
    await fake.start();
    try {
      // The client believes in 100 a minute; this 3Commas allows 2.
      const client = new ThreeCommasClient(TC_KEY, TC_SECRET, { baseUrl: fake.baseUrl });
      await client.accounts(0);
      await client.accounts(0);
      const limited = await client.accounts(0).catch((error: unknown) => error);
      expect(limited).toBeInstanceOf(ThreeCommasError);
      expect(limited).toMatchObject({ status: 429, retryAfterMs: 1000 });
      const seen = fake.seen('GET', '/ver1/accounts');
      const blocked = await client.accounts(0).catch((error: unknown) => error);
      expect(blocked).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(fake.seen('GET', '/ver1/accounts')).toBe(seen);
      expect(fake.banned).toBe(false);
    } finally {
      await fake.stop();
    }
  });
});

describe('integrations: 3Commas connections and syncs', () => {
  const threeCommas = new FakeThreeCommas(TC_KEY, TC_SECRET, {
    perWindow: 100,
    windowMs: 60_000,
    blockSeconds: 60,
  });
  const binance = new FakeBinance('sync-binance-key-0123456789', BINANCE_SECRET);
  let t: TestApp;
  let admin: string;
  let controller: string;
  let reader: string;
  let connectionId: string;
  let accountId: string;

  async function finishedJob(id: string): Promise<JobView> {
    for (;;) {
      const job = await t.app.get(JobQueue).get(id);
      if (!job) throw new Error(`no job ${id}`);
      if (FINISHED_JOB_STATES.includes(job.state)) return job;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function sync(body: Record<string, unknown>): Promise<SyncRunView> {
    const accepted = await call<{ runId: string; jobId: string; status: string }>(t, 'POST', '/api/sync', {
      apiKey: admin,
      body,
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body.status).toBe('queued');
    const job = await finishedJob(accepted.body.jobId);
    expect(job.state).toBe('completed');
    const run = await call<SyncRunView>(t, 'GET', `/api/sync/runs/${accepted.body.runId}`, { apiKey: admin });
    return run.body;
  }

  beforeAll(async () => {
    await Promise.all([threeCommas.start(), binance.start()]);
    threeCommas.addBot({ id: 7, name: 'BTC long', pairs: ['USDT_BTC'] });
    threeCommas.addBot({ id: 8, name: 'ETH long', pairs: ['USDT_ETH'], is_enabled: false });
    threeCommas.addBot({ id: 9, name: 'SOL long', pairs: ['USDT_SOL'] });
    t = await startTestApp(
      { RATE_LIMIT_ADMIN: '100000', RATE_LIMIT_CONTROL: '100000', RATE_LIMIT_READ_ONLY: '100000' },
      {
        threeCommas: { baseUrl: threeCommas.baseUrl },
        exchange: {
          redirectApiTo: { binance: binance.baseUrl },
          rateLimitMs: 1,
          timeoutMs: 2000,
          retry: { attempts: 1, baseDelayMs: 1 },
        },
      },
    );
    const token = (await loginAdmin(t)).accessToken;
    admin = (await createKey(t, token, { name: 'admin', permissions: [Role.ADMIN] })).apiKey;
    controller = (await createKey(t, token, { name: 'controller', permissions: [Role.CONTROL] })).apiKey;
    reader = (await createKey(t, token, { name: 'reader', permissions: [Role.READ_ONLY] })).apiKey;
    const connection = await call<{ id: string; apiKey: string }>(
      t,
      'POST',
      '/api/integrations/3commas/accounts',
      {
        apiKey: admin,
        body: { label: '3Commas main', apiKey: TC_KEY, secret: TC_SECRET },
      },
    );
    expect(connection.status).toBe(201);
    connectionId = connection.body.id;
    const account = await call<{ id: string }>(t, 'POST', '/api/exchanges/accounts', {
      apiKey: admin,
      body: { exchangeId: 'binance', label: 'synced', apiKey: binance.apiKey, secret: BINANCE_SECRET },
    });
    expect(account.status).toBe(201);
    accountId = account.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([threeCommas.stop(), binance.stop()]);
  });

  it('stores a 3Commas connection sealed and never returns its secret', async () => {
    const list = await call<{ items: Array<Record<string, unknown>> }>(
      t,
      'GET',
      '/api/integrations/3commas/accounts',
      {
        apiKey: admin,
      },
    );
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: connectionId, label: '3Commas main', apiKey: '…abcd' }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(TC_SECRET);
    const [row] = await t.app
      .get(DataSource)
      .query<Array<{ secret_sealed: string }>>(
        'SELECT secret_sealed FROM three_commas_accounts WHERE id = $1',
        [connectionId],
      );
    expect(row.secret_sealed).not.toContain(TC_SECRET);
    const byReader = await call(t, 'GET', '/api/integrations/3commas/accounts', { apiKey: reader });
    expect(byReader.status).toBe(403);
  });

  it("health shows connected with the fake's balance and enabled bots, from signed calls", async () => {
    const health = await call<Record<string, unknown>>(t, 'GET', '/api/integrations/3commas/health', {
      apiKey: reader,
    });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      accountId: connectionId,
      connected: true,
      balance: 12500.5,
      activeBots: 2,
      exchangeAccounts: [{ id: 31001, name: 'Binance main', exchange: 'binance', usdAmount: 12500.5 }],
      error: null,
    });
    expect(typeof health.body.lastSync).toBe('string');
    expect(threeCommas.rejectedSignatures).toBe(0);
  });

  it('a bad secret gives connected: false with the 3Commas error, not a 5xx', async () => {
    const wrong = await call<{ id: string }>(t, 'POST', '/api/integrations/3commas/accounts', {
      apiKey: admin,
      body: { label: 'wrong secret', apiKey: TC_KEY, secret: 'not-the-secret-0123456789' },
    });
    const rejectedBefore = threeCommas.rejectedSignatures;
    const health = await call<Record<string, unknown>>(
      t,
      'GET',
      `/api/integrations/3commas/health?accountId=${wrong.body.id}`,
      { apiKey: reader },
    );
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      connected: false,
      balance: null,
      activeBots: null,
      error: { code: 'INTEGRATION_ERROR', message: expect.stringContaining('signature_invalid') },
    });
    expect(threeCommas.rejectedSignatures).toBe(rejectedBefore + 1);
    // With two connections, one must be named.
    const unnamed = await call<{ error: string }>(t, 'GET', '/api/integrations/3commas/bots', {
      apiKey: reader,
    });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.error).toBe('VALIDATION_ERROR');
    const bots = await call(t, 'GET', `/api/integrations/3commas/bots?accountId=${wrong.body.id}`, {
      apiKey: reader,
    });
    expect(bots.status).toBe(502);
    const removed = await call(t, 'DELETE', `/api/integrations/3commas/accounts/${wrong.body.id}`, {
      apiKey: admin,
    });
    expect(removed.status).toBe(200);
  });

  it('lists bots and deals from 3Commas and acts on a bot (CONTROL, audited)', async () => {
    const bots = await call<{ items: Array<Record<string, unknown>>; hasMore: boolean }>(
      t,
      'GET',
      '/api/integrations/3commas/bots?limit=2',
      { apiKey: reader },
    );
    expect(bots.status).toBe(200);
    expect(bots.body.items).toEqual([
      expect.objectContaining({ id: 7, name: 'BTC long', enabled: true, symbols: ['BTC/USDT'] }),
      expect.objectContaining({ id: 8, enabled: false, symbols: ['ETH/USDT'] }),
    ]);
    expect(bots.body.hasMore).toBe(true);

    const refused = await call(t, 'POST', '/api/integrations/3commas/bots/8/enable', { apiKey: reader });
    expect(refused.status).toBe(403);
    const enabled = await call<Record<string, unknown>>(
      t,
      'POST',
      '/api/integrations/3commas/bots/8/enable',
      {
        apiKey: controller,
      },
    );
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ id: 8, enabled: true });
    const started = await call<Record<string, unknown>>(
      t,
      'POST',
      '/api/integrations/3commas/bots/7/start-new-deal',
      {
        apiKey: controller,
        body: { symbol: 'BTC/USDT' },
      },
    );
    expect(started.body).toMatchObject({ id: 7, activeDeals: 1 });
    const panic = await call<Record<string, unknown>>(
      t,
      'POST',
      '/api/integrations/3commas/bots/7/panic-sell-all',
      {
        apiKey: controller,
      },
    );
    expect(panic.body).toMatchObject({ id: 7, activeDeals: 0 });
    const disabled = await call<Record<string, unknown>>(
      t,
      'POST',
      '/api/integrations/3commas/bots/8/disable',
      {
        apiKey: controller,
      },
    );
    expect(disabled.body).toMatchObject({ id: 8, enabled: false });
    expect(threeCommas.actions).toEqual([
      'enable 8',
      'start_new_deal 7 USDT_BTC',
      'panic_sell_all_deals 7',
      'disable 8',
    ]);
    const missing = await call(t, 'POST', '/api/integrations/3commas/bots/404/enable', {
      apiKey: controller,
    });
    expect(missing.status).toBe(404);
    const audit = await call<{ items: Array<{ action: string; result: string }> }>(
      t,
      'GET',
      '/api/audit?limit=50',
      { apiKey: admin },
    );
    const actions = audit.body.items.map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'three_commas.bot.enable',
        'three_commas.bot.start-new-deal',
        'three_commas.bot.panic-sell-all',
        'three_commas.bot.disable',
      ]),
    );
  });

  it('imports finished deals once, as closed trades with their safety orders, which analytics covers', async () => {
    threeCommas.addFinishedDeal({
      id: 9001,
      botId: 7,
      pair: 'USDT_BTC',
      amount: 0.01,
      buy: 60_000,
      sell: 61_000,
      safetyOrders: 2,
      createdAt: '2026-11-20T10:00:00.000Z',
      closedAt: '2026-11-20T14:00:00.000Z',
    });
    threeCommas.addFinishedDeal({
      id: 9002,
      botId: 9,
      pair: 'USDT_SOL',
      amount: 2,
      buy: 150,
      sell: 145,
      safetyOrders: 0,
      createdAt: '2026-11-21T10:00:00.000Z',
      closedAt: '2026-11-21T12:00:00.000Z',
      status: 'stop_loss_finished',
    });
    // Still open: not imported, and the next sync asks from its creation on.
    threeCommas.deals.push({
      id: 9003,
      bot_id: 7,
      pair: 'USDT_BTC',
      status: 'bought',
      'finished?': false,
      created_at: '2026-11-22T10:00:00.000Z',
      bought_amount: '0.01',
      bought_volume: '600',
      sold_amount: '0',
      sold_volume: '0',
    });
    const deals = await call<{ items: Array<Record<string, unknown>> }>(
      t,
      'GET',
      '/api/integrations/3commas/deals',
      {
        apiKey: reader,
      },
    );
    expect(deals.body.items.map((deal) => deal.id)).toEqual([9001, 9002, 9003]);
    expect(deals.body.items[0]).toMatchObject({
      symbol: 'BTC/USDT',
      finished: true,
      safetyOrders: 2,
      profit: 10,
    });

    const first = await sync({ source: '3commas', accountId: connectionId });
    expect(first).toMatchObject({
      state: 'completed',
      fetched: 2,
      imported: 2,
      skipped: 0,
      details: { openDeals: 1 },
    });
    const second = await sync({ source: '3commas', accountId: connectionId });
    expect(second).toMatchObject({ state: 'completed', imported: 0, errors: [] });

    const trades = await t.app.get(DataSource).query<Array<Record<string, unknown>>>(
      `SELECT symbol, side, status, source, external_id, dca_attempts, realized_pnl::float AS pnl, close_reason, exchange_id
           FROM trades WHERE account_id = $1 ORDER BY external_id`,
      [connectionId],
    );
    expect(trades).toEqual([
      expect.objectContaining({
        symbol: 'BTC/USDT',
        side: 'long',
        status: 'CLOSED',
        source: '3commas',
        external_id: '3commas:deal:9001',
        dca_attempts: 2,
        pnl: 10,
        close_reason: 'take_profit',
        exchange_id: 'binance',
      }),
      expect.objectContaining({
        symbol: 'SOL/USDT',
        external_id: '3commas:deal:9002',
        pnl: -10,
        close_reason: 'stop_loss',
      }),
    ]);
    const performance = await call<{ totalTrades: number; winningTrades: number; totalPnl: number }>(
      t,
      'GET',
      `/api/analytics/performance?accountId=${connectionId}&period=all`,
      { apiKey: reader },
    );
    expect(performance.status).toBe(200);
    expect(performance.body).toMatchObject({ totalTrades: 2, winningTrades: 1 });
  });

  it('syncs 2,500 past trades across 3 symbols once, in pages with progress; a second run imports 0', async () => {
    binance.markets.set('SOLUSDT', {
      id: 'SOLUSDT',
      base: 'SOL',
      quote: 'USDT',
      price: 150,
      tick: '0.01',
      step: '0.001',
    });
    binance.balances.set('SOL', { free: 12, locked: 0 });
    binance.balances.get('BTC')!.free = 0.5;
    binance.balances.get('ETH')!.free = 3;
    const now = Date.now();
    binance.seedHistory('BTCUSDT', 900, now);
    binance.seedHistory('ETHUSDT', 800, now);
    binance.seedHistory('SOLUSDT', 800, now);
    // One trade of an order Tradeplane placed: linked to that order, not imported as a stranger's.
    const placed = await call<{ id: string; status: string }>(t, 'POST', '/api/orders', {
      apiKey: controller,
      body: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, accountId },
    });
    expect(placed.status).toBe(201);
    const resting = await call<{ id: string }>(t, 'POST', '/api/orders', {
      apiKey: controller,
      body: { symbol: 'ETH/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 2_000, accountId },
    });
    expect(resting.status).toBe(201);
    const progress: number[] = [];
    const jobs = t.app.get(JobQueue);
    const requestsBefore = binance.seen('GET', '/api/v3/myTrades');

    const accepted = await call<{ runId: string; jobId: string }>(t, 'POST', '/api/sync', {
      apiKey: admin,
      body: { source: 'exchange', accountId },
    });
    expect(accepted.status).toBe(202);
    const again = await call<{ error: { code: string } }>(t, 'POST', '/api/sync', {
      apiKey: admin,
      body: { source: 'exchange', accountId },
    });
    expect(again.status).toBe(409);
    for (;;) {
      const job = await jobs.get(accepted.body.jobId);
      progress.push(job!.progress);
      if (FINISHED_JOB_STATES.includes(job!.state)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const run = (
      await call<SyncRunView>(t, 'GET', `/api/sync/runs/${accepted.body.runId}`, { apiKey: admin })
    ).body;
    expect(run).toMatchObject({
      state: 'completed',
      progress: 100,
      fetched: 2501,
      imported: 2500,
      matched: 1,
      skipped: 0,
      details: { symbols: 3, openOrders: 1 },
    });
    // Pages of 500: BTC 901 in 2, ETH 800 in 2, SOL 800 in 2.
    expect(binance.seen('GET', '/api/v3/myTrades') - requestsBefore).toBe(6);
    expect(progress.some((value) => value > 0 && value < 100)).toBe(true);

    const linked = await t.app
      .get(DataSource)
      .query<Array<{ order_id: string }>>(
        'SELECT order_id FROM exchange_trades WHERE account_id = $1 AND order_id IS NOT NULL',
        [accountId],
      );
    expect(linked).toEqual([{ order_id: placed.body.id }]);
    const snapshot = await call<{
      openOrders: Array<{ orderId: string; symbol: string }>;
      balances: Array<{ currency: string }>;
    }>(t, 'GET', `/api/sync/accounts/${accountId}/snapshot`, { apiKey: admin });
    expect(snapshot.body.openOrders).toEqual([
      expect.objectContaining({ orderId: resting.body.id, symbol: 'ETH/USDT' }),
    ]);
    expect(snapshot.body.balances.map((balance) => balance.currency)).toEqual(
      expect.arrayContaining(['BTC', 'ETH', 'SOL', 'USDT']),
    );
    const listed = await call<{ total: number }>(t, 'GET', `/api/sync/accounts/${accountId}/trades?limit=5`, {
      apiKey: admin,
    });
    expect(listed.body.total).toBe(2501);

    const second = await sync({ source: 'exchange', accountId });
    expect(second).toMatchObject({ imported: 0, matched: 0, skipped: 0, fetched: 0 });
    const runs = await call<{ items: SyncRunView[]; total: number }>(
      t,
      'GET',
      `/api/sync?accountId=${accountId}`,
      { apiKey: admin },
    );
    expect(runs.body.items.map((item) => item.id)).toEqual([second.id, run.id]);
  });

  it('a sync stopped half way by the exchange carries on from its cursor in its next attempt', async () => {
    binance.seedHistory('SOLUSDT', 1_200, Date.now());
    // BTC and ETH answer one empty page each from their cursors, SOL its first page of 500; the
    // next request fails (this app makes no read retries), so the job's first attempt fails there.
    binance.faults.push({ method: 'GET', path: '/api/v3/myTrades', kind: 'serverError', skip: 3 });
    const accepted = await call<{ runId: string; jobId: string }>(t, 'POST', '/api/sync', {
      apiKey: admin,
      body: { source: 'exchange', accountId },
    });
    const job = await finishedJob(accepted.body.jobId);
    expect(job.state).toBe('completed');
    expect(job.attempts).toBe(2);
    expect(binance.faults).toHaveLength(0);
    const run = (
      await call<SyncRunView>(t, 'GET', `/api/sync/runs/${accepted.body.runId}`, { apiKey: admin })
    ).body;
    // Every new trade once, none fetched twice: starting again from the beginning would skip 500.
    expect(run).toMatchObject({ state: 'completed', imported: 1_200, skipped: 0, fetched: 1_200 });
    expect(run.errors).toEqual([expect.stringContaining('Internal error')]);
  });

  it('runs scheduled syncs of each account from sync.everyMinutes, once', async () => {
    const service = t.app.get(SyncService);
    const setSync = (everyMinutes: number) =>
      call(t, 'PUT', '/api/config', { apiKey: admin, body: { sync: { everyMinutes } } });
    expect((await setSync(0)).status).toBe(200);
    expect(await service.syncDue()).toBe(0);
    const before = (await call<{ total: number }>(t, 'GET', '/api/sync', { apiKey: admin })).body.total;
    // Every account's last sync was under a minute ago: none is due yet.
    expect((await setSync(1)).status).toBe(200);
    expect(await service.syncDue()).toBe(0);
    const clock = t.app.get<Clock>(Clock);
    const later = jest.spyOn(clock, 'nowMs').mockReturnValue(Date.now() + 120_000);
    try {
      expect(await service.syncDue()).toBe(2);
      // Both runs are queued or running: a second pass starts none.
      expect(await service.syncDue()).toBe(0);
    } finally {
      later.mockRestore();
    }
    const runs = await call<{
      items: Array<SyncRunView & { trigger: string; jobId: string }>;
      total: number;
    }>(t, 'GET', '/api/sync?limit=2', { apiKey: admin });
    expect(runs.body.total).toBe(before + 2);
    expect(runs.body.items.map((item) => item.trigger)).toEqual(['schedule', 'schedule']);
    for (const item of runs.body.items) expect((await finishedJob(item.jobId)).state).toBe('completed');
    expect((await setSync(0)).status).toBe(200);
  });
});
