import { DataSource } from 'typeorm';
import { ExchangeAccountsService } from '../src/exchange/exchange-accounts.service';
import { SecretDecryptionError } from '../src/platform/crypto/secret-box';
import { Role } from '../src/platform/access/role';
import { call, createUser, loginAdmin } from './support/auth-client';
import { SystemSampler } from '../src/monitoring/system-sampler.service';
import { startTestApp, TestApp } from './support/test-app';
import { FakeBinance } from './support/fake-exchange/fake-binance';
import { FakeBybit } from './support/fake-exchange/fake-bybit';

describe('exchanges and exchange accounts', () => {
  let t: TestApp;
  let admin: string;
  const secret = 'S3cr3t-value-that-must-never-leak-0123456789';
  const apiKey = 'AKIA-bybit-key-0123456789-wxyz';

  beforeAll(async () => {
    t = await startTestApp(
      { RATE_LIMIT_ADMIN: '100000', RATE_LIMIT_READ_ONLY: '100000' },
      { captureLogs: true },
    );
    admin = (await loginAdmin(t)).accessToken;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the exchanges ccxt supports, with capabilities, to any signed-in principal', async () => {
    const reader = await createUser(t, admin, Role.READ_ONLY);
    const response = await call<{ items: Array<Record<string, unknown>>; total: number }>(
      t,
      'GET',
      '/api/exchanges?limit=500',
      { token: reader.token },
    );
    expect(response.status).toBe(200);
    expect(response.body.total).toBeGreaterThan(90);
    const byId = new Map(response.body.items.map((item) => [item.id, item]));
    for (const id of ['binance', 'bybit', 'bitget', 'bitfinex']) expect(byId.has(id)).toBe(true);
    expect(byId.get('bybit')).toMatchObject({
      name: 'Bybit',
      spot: true,
      swap: true,
      sandbox: true,
      capabilities: { createOrder: true, fetchOHLCV: true },
    });
    expect(byId.get('bitget')).toMatchObject({ requiresPassphrase: true });
    const page = await call<{ items: unknown[]; limit: number; offset: number }>(
      t,
      'GET',
      '/api/exchanges?limit=10&offset=10',
      { token: reader.token },
    );
    expect(page.body.items).toHaveLength(10);
  });

  it('stores credentials encrypted, shows only the last 4 characters of the key, and never logs them', async () => {
    const created = await call<{ id: string; apiKey: string; hasPassphrase: boolean; keyVersion: number }>(
      t,
      'POST',
      '/api/exchanges/accounts',
      {
        token: admin,
        body: {
          exchangeId: 'bybit',
          label: 'Bybit testnet',
          sandbox: true,
          marketType: 'swap',
          apiKey,
          secret,
        },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      exchangeId: 'bybit',
      label: 'Bybit testnet',
      sandbox: true,
      marketType: 'swap',
      apiKey: '…wxyz',
      hasPassphrase: false,
      keyVersion: 1,
    });
    const listed = await call(t, 'GET', '/api/exchanges/accounts', { token: admin });
    const everything = JSON.stringify([created.body, listed.body]);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(apiKey);
    const rows = await t.app
      .get(DataSource)
      .query<Array<Record<string, unknown>>>(`SELECT * FROM exchange_accounts`);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(rows)).not.toContain(apiKey.slice(0, 20));
    expect(t.logs.join('\n')).not.toContain(secret);
    expect(await t.app.get(ExchangeAccountsService).credentials(created.body.id)).toEqual({ apiKey, secret });
  });

  it('fails loudly when a stored ciphertext was altered or moved to another row', async () => {
    const first = await call<{ id: string }>(t, 'POST', '/api/exchanges/accounts', {
      token: admin,
      body: { exchangeId: 'binance', label: 'tamper-a', apiKey, secret },
    });
    const second = await call<{ id: string }>(t, 'POST', '/api/exchanges/accounts', {
      token: admin,
      body: {
        exchangeId: 'binance',
        label: 'tamper-b',
        apiKey: 'other-key-1234',
        secret: 'other-secret-1234',
      },
    });
    const dataSource = t.app.get(DataSource);
    const service = t.app.get(ExchangeAccountsService);
    // Change one character well inside the sealed data: every bit of it is decoded (the last character
    // of unpadded base64 carries padding bits that a decoder ignores, so changing it may change nothing).
    await dataSource.query(
      `UPDATE exchange_accounts SET secret_sealed = overlay(secret_sealed placing (CASE WHEN substr(secret_sealed, length(secret_sealed) - 4, 1) = 'A' THEN 'B' ELSE 'A' END) from length(secret_sealed) - 4 for 1) WHERE id = $1`,
      [first.body.id],
    );
    await expect(service.credentials(first.body.id)).rejects.toThrow(SecretDecryptionError);
    // A valid ciphertext of another row does not open here either.
    await dataSource.query(
      `UPDATE exchange_accounts SET api_key_sealed = (SELECT api_key_sealed FROM exchange_accounts WHERE id = $1) WHERE id = $2`,
      [second.body.id, first.body.id],
    );
    await expect(service.credentials(first.body.id)).rejects.toThrow(/bound to another row/);
  });

  it('refuses connection options from a request (no urls, hostname, proxies, headers or options)', async () => {
    const base = { exchangeId: 'binance', label: 'ssrf', apiKey, secret };
    for (const extra of [
      { urls: { api: 'http://169.254.169.254/' } },
      { hostname: 'evil.example' },
      { proxyUrl: 'http://127.0.0.1:1' },
      { httpsProxy: 'http://127.0.0.1:1' },
      { headers: { Host: 'x' } },
      { options: { defaultType: 'swap' } },
    ]) {
      const response = await call(t, 'POST', '/api/exchanges/accounts', {
        token: admin,
        body: { ...base, ...extra },
      });
      expect({ extra, status: response.status }).toEqual({ extra, status: 400 });
    }
    const listed = await call<{ items: Array<{ label: string }> }>(t, 'GET', '/api/exchanges/accounts', {
      token: admin,
    });
    expect(listed.body.items.map((item) => item.label)).not.toContain('ssrf');
  });

  it('validates the exchange and its requirements', async () => {
    const post = (body: Record<string, unknown>) =>
      call(t, 'POST', '/api/exchanges/accounts', {
        token: admin,
        body: { label: `v-${Math.random()}`, apiKey, secret, ...body },
      });
    expect((await post({ exchangeId: 'not-an-exchange' })).status).toBe(400);
    expect((await post({ exchangeId: 'nosuchexchange' })).body.message).toContain(
      'not an exchange ccxt supports',
    );
    expect((await post({ exchangeId: 'bitget' })).body.message).toContain('passphrase');
    expect((await post({ exchangeId: 'bitget', passphrase: 'pass', sandbox: true })).body.message).toContain(
      'no sandbox',
    );
    expect((await post({ exchangeId: 'bitget', passphrase: 'pass' })).status).toBe(201);
    const duplicate = await call(t, 'POST', '/api/exchanges/accounts', {
      token: admin,
      body: { exchangeId: 'bybit', label: 'Bybit testnet', apiKey, secret },
    });
    expect(duplicate.status).toBe(409);
  });

  it('deletes an account with its credentials, and audits it', async () => {
    const created = await call<{ id: string }>(t, 'POST', '/api/exchanges/accounts', {
      token: admin,
      body: { exchangeId: 'binance', label: 'to-delete', apiKey, secret },
    });
    expect(
      (await call(t, 'DELETE', `/api/exchanges/accounts/${created.body.id}`, { token: admin })).status,
    ).toBe(200);
    expect(
      (await call(t, 'DELETE', `/api/exchanges/accounts/${created.body.id}`, { token: admin })).status,
    ).toBe(404);
    const audit = await call<{ items: Array<{ action: string; targetId: string }> }>(
      t,
      'GET',
      `/api/audit?targetId=${created.body.id}`,
      { token: admin },
    );
    expect(audit.body.items.map((entry) => entry.action).sort()).toEqual([
      'exchange_account.create',
      'exchange_account.delete',
    ]);
  });
});

interface Health {
  accountId: string;
  exchangeId: string;
  connected: boolean;
  accountType: string | null;
  tradingEnabled: boolean | null;
  balance: Array<{ currency: string; free: number; used: number; total: number }>;
  lastSync: string | null;
  latencyMs: number;
  error: { code: string; message: string } | null;
}

/** Exchange accounts talking to loopback fakes of Binance and Bybit through ccxt, over the real API. */
describe('exchange accounts on live exchanges (fake exchange servers)', () => {
  const binanceSecret = 'binance-secret-never-shown-0123456789';
  const bybitSecret = 'bybit-secret-never-shown-0123456789';
  const binance = new FakeBinance('binance-key-for-health-0001', binanceSecret);
  const bybit = new FakeBybit('bybit-key-for-health-0002', bybitSecret);
  let t: TestApp;
  let admin: string;
  let reader: string;

  async function addAccount(body: Record<string, unknown>): Promise<string> {
    const created = await call<{ id: string }>(t, 'POST', '/api/exchanges/accounts', { token: admin, body });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  beforeAll(async () => {
    await binance.start();
    await bybit.start();
    t = await startTestApp(
      { RATE_LIMIT_ADMIN: '100000', RATE_LIMIT_READ_ONLY: '100000' },
      {
        captureLogs: true,
        exchange: {
          redirectApiTo: { binance: binance.baseUrl, bybit: bybit.baseUrl },
          rateLimitMs: 1,
          timeoutMs: 1000,
          retry: { attempts: 2, baseDelayMs: 1 },
        },
      },
    );
    admin = (await loginAdmin(t)).accessToken;
    reader = (await createUser(t, admin, Role.READ_ONLY)).token;
  });
  afterAll(async () => {
    await t?.close();
    await binance.stop();
    await bybit.stop();
  });

  it.each([
    ['binance', binance, binanceSecret, 'SPOT'],
    ['bybit', bybit, bybitSecret, 'UNIFIED'],
  ] as const)(
    'checks a %s account by calling the exchange, for a READ_ONLY principal, and keeps the last sync',
    async (exchangeId, fake, secret, accountType) => {
      const id = await addAccount({ exchangeId, label: `${exchangeId} main`, apiKey: fake.apiKey, secret });
      const signedBefore = fake.signedRequests;
      const response = await call<Health>(t, 'GET', `/api/exchanges/accounts/${id}/health`, {
        token: reader,
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        accountId: id,
        exchangeId,
        connected: true,
        accountType,
        tradingEnabled: true,
        balance: [{ currency: 'USDT', free: 10000, used: 0, total: 10000 }],
        error: null,
      });
      expect(fake.signedRequests).toBeGreaterThan(signedBefore);
      expect(fake.rejectedSignatures).toBe(0);
      const lastSync = Date.parse(response.body.lastSync ?? '');
      expect(Math.abs(lastSync - Date.now())).toBeLessThan(60_000);
      const stored = await t.app
        .get(DataSource)
        .query<Array<{ last_sync_at: Date }>>('SELECT last_sync_at FROM exchange_accounts WHERE id = $1', [
          id,
        ]);
      expect(stored[0].last_sync_at.getTime()).toBe(lastSync);
      expect(JSON.stringify(response.body)).not.toContain(secret);
      expect(JSON.stringify(response.body)).not.toContain(fake.apiKey);
    },
  );

  it('reports a refused key and an unreachable exchange as not connected, keeping the previous last sync', async () => {
    const wrong = await addAccount({
      exchangeId: 'binance',
      label: 'binance wrong secret',
      apiKey: binance.apiKey,
      secret: 'not-the-right-secret-000000000000',
    });
    const refused = await call<Health>(t, 'GET', `/api/exchanges/accounts/${wrong}/health`, {
      token: reader,
    });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({
      connected: false,
      accountType: null,
      tradingEnabled: null,
      balance: [],
      lastSync: null,
      error: { code: 'EXCHANGE_ERROR' },
    });
    expect(refused.body.error?.message).toMatch(/refused the account's credentials/);

    const good = await addAccount({
      exchangeId: 'binance',
      label: 'binance flaky',
      apiKey: binance.apiKey,
      secret: binanceSecret,
    });
    const first = await call<Health>(t, 'GET', `/api/exchanges/accounts/${good}/health`, { token: reader });
    expect(first.body.connected).toBe(true);
    // Both attempts of the read fail: the exchange is down for this check.
    binance.faults.push({ method: 'GET', path: '/api/v3/account', kind: 'serverError' });
    binance.faults.push({ method: 'GET', path: '/api/v3/account', kind: 'serverError' });
    const down = await call<Health>(t, 'GET', `/api/exchanges/accounts/${good}/health`, { token: reader });
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ connected: false, error: { code: 'EXCHANGE_ERROR' } });
    expect(down.body.lastSync).toBe(first.body.lastSync);
  });

  it('counts the requests ccxt makes, their failures by ccxt error, and stores them in the hourly history', async () => {
    const id = await addAccount({
      exchangeId: 'binance',
      label: 'binance measured',
      apiKey: binance.apiKey,
      secret: binanceSecret,
    });
    const series = async () => {
      const text = (await call<string>(t, 'GET', '/api/metrics/trading', { token: reader })).body;
      const value = (pattern: RegExp) =>
        [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
      return {
        requests: value(
          /tradeplane_exchange_request_duration_seconds_count\{[^}]*exchange="binance"[^}]*\} (\d+)/g,
        ),
        errors: value(/tradeplane_exchange_request_errors_total\{[^}]*exchange="binance"[^}]*\} (\d+)/g),
        errorCodes: [...text.matchAll(/tradeplane_exchange_request_errors_total\{[^}]*code="(\w+)"/g)].map(
          (m) => m[1],
        ),
      };
    };
    const before = await series();
    await t.app.get(SystemSampler).sampleNow(); // takes the totals so far
    const requestsBefore = binance.signedRequests;
    expect(
      (await call<Health>(t, 'GET', `/api/exchanges/accounts/${id}/health`, { token: reader })).body
        .connected,
    ).toBe(true);
    binance.faults.push({ method: 'GET', path: '/api/v3/account', kind: 'serverError' });
    binance.faults.push({ method: 'GET', path: '/api/v3/account', kind: 'serverError' });
    await call(t, 'GET', `/api/exchanges/accounts/${id}/health`, { token: reader });
    const after = await series();
    expect(after.requests - before.requests).toBeGreaterThanOrEqual(binance.signedRequests - requestsBefore);
    expect(after.errors - before.errors).toBe(2);
    expect(after.errorCodes).toContain('OperationFailed'); // ccxt's name for the fake's 500

    const sample = await t.app.get(SystemSampler).sampleNow();
    // The 15-second sampler may have taken a share of these totals first: the hour's history has all.
    expect(sample.exchangeErrors).toBeLessThanOrEqual(2);
    const history = await call<{
      metrics: { exchange: { apiCalls: number; failedCalls: number; avgResponseTimeMs: number } };
    }>(t, 'GET', '/api/metrics/history?hours=1', { token: reader });
    expect(history.body.metrics.exchange.apiCalls).toBeGreaterThanOrEqual(after.requests - before.requests);
    expect(history.body.metrics.exchange.failedCalls).toBeGreaterThanOrEqual(2);
    expect(history.body.metrics.exchange.avgResponseTimeMs).toBeGreaterThan(0);
  });

  it('raises EXCHANGE_AUTH_FAILED for refused credentials, EXCHANGE_UNREACHABLE after 3 failures in a row, and resolves it when the exchange answers', async () => {
    const activeAlert = async (type: string, accountId: string) =>
      (
        await call<{ items: Array<{ id: string; status: string; severity: string }> }>(
          t,
          'GET',
          `/api/alerts?activeOnly=true&type=${type}&source=exchange:${accountId}`,
          { token: reader },
        )
      ).body.items;
    const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean) => {
      const deadline = Date.now() + 5000;
      let value = await read();
      while (!done(value) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        value = await read();
      }
      return value;
    };
    const refused = await addAccount({
      exchangeId: 'binance',
      label: 'binance refused',
      apiKey: binance.apiKey,
      secret: 'another-wrong-secret-000000000000',
    });
    await call(t, 'GET', `/api/exchanges/accounts/${refused}/health`, { token: reader });
    const auth = await eventually(
      () => activeAlert('EXCHANGE_AUTH_FAILED', refused),
      (items) => items.length > 0,
    );
    expect(auth.map((alert) => alert.severity)).toEqual(['critical']);

    const flaky = await addAccount({
      exchangeId: 'binance',
      label: 'binance unreachable',
      apiKey: binance.apiKey,
      secret: binanceSecret,
    });
    expect(
      (await call<Health>(t, 'GET', `/api/exchanges/accounts/${flaky}/health`, { token: reader })).body
        .connected,
    ).toBe(true);
    for (let i = 0; i < 4; i++)
      binance.faults.push({ method: 'GET', path: '/api/v3/account', kind: 'serverError' });
    await call(t, 'GET', `/api/exchanges/accounts/${flaky}/health`, { token: reader });
    // 2 failures so far: an alert raised now would be stored within moments.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await activeAlert('EXCHANGE_UNREACHABLE', flaky)).toEqual([]);
    await call(t, 'GET', `/api/exchanges/accounts/${flaky}/health`, { token: reader });
    const down = await eventually(
      () => activeAlert('EXCHANGE_UNREACHABLE', flaky),
      (items) => items.length > 0,
    );
    expect(down).toHaveLength(1);
    expect(
      (await call<Health>(t, 'GET', `/api/exchanges/accounts/${flaky}/health`, { token: reader })).body
        .connected,
    ).toBe(true);
    expect(
      await eventually(
        () => activeAlert('EXCHANGE_UNREACHABLE', flaky),
        (items) => items.length === 0,
      ),
    ).toEqual([]);
    const resolved = await call<{ status: string; resolvedBy: string }>(
      t,
      'GET',
      `/api/alerts/${down[0].id}`,
      {
        token: reader,
      },
    );
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: 'system' });
  });

  it('answers 404 for an unknown account and 400 for a malformed id', async () => {
    const missing = await call(
      t,
      'GET',
      '/api/exchanges/accounts/3f1b2c3d-0000-4000-8000-000000000000/health',
      {
        token: reader,
      },
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'NOT_FOUND' });
    const malformed = await call(t, 'GET', '/api/exchanges/accounts/not-an-id/health', { token: reader });
    expect(malformed.status).toBe(400);
  });

  it("serves an account's candles from its exchange, stores them, and makes one upstream call for a burst", async () => {
    const id = await addAccount({
      exchangeId: 'bybit',
      label: 'bybit market data',
      apiKey: bybit.apiKey,
      secret: bybitSecret,
    });
    const klinesBefore = bybit.seen('GET', '/v5/market/kline');
    const url = `/api/analytics/market?symbol=btc_usdt&timeframe=1m&limit=5&accountId=${id}`;
    const burst = await Promise.all(
      Array.from({ length: 10 }, () =>
        call<{ exchange: string; symbol: string; candles: Array<{ timestamp: string; close: number }> }>(
          t,
          'GET',
          url,
          { token: reader },
        ),
      ),
    );
    for (const response of burst) {
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ exchange: 'bybit', symbol: 'BTC/USDT' });
      expect(response.body.candles).toHaveLength(5);
      expect(response.body.candles).toEqual(burst[0].body.candles);
    }
    expect(bybit.seen('GET', '/v5/market/kline')).toBe(klinesBefore + 1);
    const stored = await t.app
      .get(DataSource)
      .query<Array<{ n: string }>>(
        "SELECT count(*) AS n FROM candles WHERE exchange = 'bybit' AND symbol = 'BTC/USDT' AND timeframe = '1m'",
      );
    expect(Number(stored[0].n)).toBeGreaterThanOrEqual(5);

    const book = await call<{ exchange: string; bids: number[][]; asks: number[][]; mid: number }>(
      t,
      'GET',
      `/api/orderbook/ETHUSDT?depth=3&accountId=${id}`,
      { token: reader },
    );
    expect(book.status).toBe(200);
    expect(book.body).toMatchObject({
      exchange: 'bybit',
      bids: [
        [2999, 0.5],
        [2998, 0.75],
        [2997, 1],
      ],
      mid: 3000,
    });

    const unknown = await call(t, 'GET', `/api/orderbook/SOL-USDT?accountId=${id}`, { token: reader });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: 'INVALID_SYMBOL' });
  });

  it('never logs the credentials', () => {
    const logs = t.logs.join('\n');
    for (const secret of [binanceSecret, bybitSecret, binance.apiKey, bybit.apiKey])
      expect(logs).not.toContain(secret);
  });
});
