import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/platform/database/data-source-options';
import { FakeBinance } from './support/fake-exchange/fake-binance';
import { freePort, requestJson, ServerProcess, spawnServer, waitForStatus } from './support/server-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

jest.setTimeout(180_000);

const ADMIN = { username: 'crash-admin', password: 'crash-admin-password-1' };
const ENTRY = path.join(__dirname, 'support', 'test-server.ts');
/** Orders fired per run at most, and how long at most before the kill. */
const MAX_ORDERS = 300;
const BINANCE_SECRET = 'crash-binance-secret-0123456789';

interface Row {
  client_order_id: string;
  status: string;
  filled: string;
}

/** Requests with a 10 s limit: the server is killed under them. */
function json<T>(url: string, init: Parameters<typeof requestJson>[1] = {}) {
  return requestJson<T>(url, { timeoutMs: 10_000, ...init });
}

/**
 * SIGKILL the server at a random moment while orders are being placed, restart it on the same data,
 * and check that what we intended, what the exchange holds and what the database holds agree: no
 * order lost, none duplicated, none left pending.
 */
describe.each(['paper', 'binance'] as const)('crash while placing orders on %s', (venue) => {
  let database: TestDatabase;
  let fake: FakeBinance | undefined;
  let server: ServerProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    if (venue === 'binance') {
      fake = new FakeBinance('crash-binance-key-0001', BINANCE_SECRET);
      fake.balances.get('USDT')!.free = 10_000_000;
      await fake.start();
    }
    port = await freePort();
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    await fake?.stop();
    await database?.drop();
  });

  function start(): ServerProcess {
    return spawnServer(
      {
        PORT: String(port),
        DATA_DIR: database.dataDir,
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        MARKET_BACKFILL_DAYS: '0',
        PAPER_STARTING_BALANCE: '100000000',
        RATE_LIMIT_CONTROL: '1000000',
        RATE_LIMIT_ADMIN: '1000000',
        RATE_LIMIT_ANONYMOUS: '1000000',
        LOG_LEVEL: 'warn',
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
        ...(fake ? { TP_FAKE_BINANCE_URL: fake.baseUrl } : {}),
      },
      ENTRY,
    );
  }

  it('after the kill and a restart: intended = on the exchange = in the database', async () => {
    const base = `http://127.0.0.1:${port}`;
    server = start();
    await waitForStatus(`${base}/api/health`, 200, 60_000);
    const login = await json<{ accessToken: string }>(`${base}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify(ADMIN),
    });
    const token = login.body.accessToken;
    let accountId: string | undefined;
    if (fake) {
      const account = await json<{ id: string }>(`${base}/api/exchanges/accounts`, {
        method: 'POST',
        token,
        body: JSON.stringify({
          exchangeId: 'binance',
          label: 'crash',
          apiKey: fake.apiKey,
          secret: BINANCE_SECRET,
        }),
      });
      expect(account.status).toBe(201);
      accountId = account.body.id;
    }

    const intended: string[] = [];
    const acknowledged: string[] = [];
    const place = (clientOrderId: string) =>
      json(`${base}/api/orders`, {
        method: 'POST',
        token,
        body: JSON.stringify({
          symbol: 'BTC/USDT',
          side: 'buy',
          type: 'market',
          amount: 0.0002,
          clientOrderId,
          ...(accountId ? { accountId } : {}),
        }),
      });
    // One order first, so that the kill falls among placements, not in the exchange's first connection.
    intended.push('crash-warmup');
    const warmup = await place('crash-warmup');
    expect(warmup.status).toBe(201);
    acknowledged.push('tp-crash-warmup');
    let killed = false;
    let pending = 0;
    const killAfterMs = 300 + Math.floor(Math.random() * 1500);
    const firing = (async () => {
      const workers = Array.from({ length: 4 }, async () => {
        while (!killed && intended.length < MAX_ORDERS) {
          const clientOrderId = `crash-${intended.length}`;
          intended.push(clientOrderId);
          pending++;
          try {
            const placed = await place(clientOrderId);
            if (placed.status === 201) acknowledged.push(`tp-${clientOrderId}`);
          } catch {
            return; // the server is gone
          } finally {
            pending--;
          }
        }
      });
      await Promise.all(workers);
    })();
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    killed = true;
    // Sent and not answered at the kill: the kill lands among placements, not between them.
    const inFlightAtKill = pending;
    server.child.kill('SIGKILL');
    process.stderr.write(
      `crash test (${venue}): killed ${killAfterMs} ms into placing, ${inFlightAtKill} of ${intended.length} orders in flight\n`,
    );
    expect(inFlightAtKill).toBeGreaterThan(0);
    await server.exited;
    await firing;
    expect(acknowledged.length).toBeGreaterThan(0);

    // Start-up reconciliation runs before the server listens.
    server = start();
    await waitForStatus(`${base}/api/health`, 200, 60_000);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const dataSource = new DataSource(
      buildDataSourceOptions({
        databaseUrl: database.databaseUrl,
        pgliteDir: database.databaseUrl ? undefined : path.join(database.dataDir, 'pglite'),
        runMigrations: false,
      }),
    );
    await dataSource.initialize();
    try {
      const rows = await dataSource.query<Row[]>('SELECT client_order_id, status, filled FROM orders');
      const onExchange: Array<{ clientOrderId: string; filled: number }> = fake
        ? fake.orders.map((order) => ({ clientOrderId: order.clientOrderId, filled: order.filled }))
        : (
            await dataSource.query<Array<{ client_order_id: string; filled: string }>>(
              'SELECT client_order_id, filled FROM paper_orders',
            )
          ).map((order) => ({ clientOrderId: order.client_order_id, filled: Number(order.filled) }));

      const intendedIds = new Set(intended.map((id) => `tp-${id}`));
      const dbIds = rows.map((row) => row.client_order_id);
      const exchangeIds = onExchange.map((order) => order.clientOrderId);
      // None duplicated, none unexpected.
      expect(new Set(dbIds).size).toBe(dbIds.length);
      expect(new Set(exchangeIds).size).toBe(exchangeIds.length);
      for (const id of dbIds) expect(intendedIds.has(id)).toBe(true);
      // None lost: every order the exchange has is in the database, filled as the exchange says.
      const byId = new Map(rows.map((row) => [row.client_order_id, row]));
      for (const order of onExchange) {
        expect(byId.get(order.clientOrderId)).toMatchObject({ status: 'FILLED' });
        expect(Number(byId.get(order.clientOrderId)!.filled)).toBe(order.filled);
      }
      // Every database order the exchange never got is rejected, none left pending or unknown.
      const exchangeSet = new Set(exchangeIds);
      for (const row of rows.filter((candidate) => !exchangeSet.has(candidate.client_order_id)))
        expect(row.status).toBe('REJECTED');
      // Every acknowledged order is in both.
      for (const id of acknowledged) {
        expect(exchangeSet.has(id)).toBe(true);
        expect(byId.get(id)?.status).toBe('FILLED');
      }
    } finally {
      await dataSource.destroy();
    }
  });
});
