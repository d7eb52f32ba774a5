import { DataSource } from 'typeorm';
import { ExchangeAccountsService } from '../src/exchange/exchange-accounts.service';
import { SecretDecryptionError } from '../src/platform/crypto/secret-box';
import { Role } from '../src/platform/access/role';
import { call, createUser, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';

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
