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
/** Deals started per venue at most; each places a base order, 6 resting safety orders and a take profit. */
const MAX_DEALS = 40;
const DEAL = {
  symbol: 'BTC/USDT',
  baseOrderVolume: 20,
  safetyOrderVolume: 20,
  maxSafetyOrders: 6,
  activeSafetyOrders: 6,
  priceDeviation: 2,
  volumeScale: 1,
  takeProfit: 50,
};

interface DealView {
  id: string;
  status: string;
  ladder: Array<{ kind: string; index: number; status: string | null }>;
}

/** Waits until every deal the restart found has its ladder placed (or never got an order out). */
async function ladderCompleted(base: string, token: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const list = await requestJson<{ items: DealView[] }>(`${base}/api/dca/deals?limit=500`, {
      token,
      timeoutMs: 10_000,
    });
    const details = await Promise.all(
      list.body.items.map((deal) =>
        requestJson<DealView>(`${base}/api/dca/deals/${deal.id}`, { token, timeoutMs: 10_000 }),
      ),
    );
    const unfinished = details
      .map((detail) => detail.body)
      .filter((deal) => {
        if (deal.status === 'failed') return false;
        // Killed between the deal's row and its base order: nothing went out.
        if (deal.status === 'created') return deal.ladder.some((rung) => rung.status !== null);
        const safety = deal.ladder.filter((rung) => rung.kind === 'safety' && rung.status !== null);
        const takeProfit = deal.ladder.filter(
          (rung) => rung.kind === 'take_profit' && rung.status === 'OPEN',
        );
        return deal.status !== 'bought' || safety.length !== DEAL.maxSafetyOrders || takeProfit.length !== 1;
      });
    if (unfinished.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`ladders not completed: ${JSON.stringify(unfinished.slice(0, 3))}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Every DCA rung exists once: in the database (its client id is unique) and on its exchange, each
 * database order the exchange never got is rejected, and every deal in `bought` has all its rungs.
 */
async function expectLaddersOnce(dataSource: DataSource, rows: Row[], fake: FakeBinance): Promise<void> {
  const dealRows = rows.filter((row) => row.client_order_id.startsWith('tp-d'));
  const paper = await dataSource.query<Array<{ client_order_id: string }>>(
    "SELECT client_order_id FROM paper_orders WHERE client_order_id LIKE 'tp-d%'",
  );
  const onExchanges = [
    ...paper.map((order) => order.client_order_id),
    ...fake.orders.map((order) => order.clientOrderId).filter((id) => id.startsWith('tp-d')),
  ];
  expect(new Set(onExchanges).size).toBe(onExchanges.length);
  const inDatabase = new Set(dealRows.map((row) => row.client_order_id));
  for (const id of onExchanges) expect(inDatabase.has(id)).toBe(true);
  const exchangeSet = new Set(onExchanges);
  for (const row of dealRows.filter((candidate) => !exchangeSet.has(candidate.client_order_id)))
    expect(row.status).toBe('REJECTED');
  const deals = await dataSource.query<Array<{ order_key: string; status: string }>>(
    'SELECT order_key, status FROM dca_deals',
  );
  expect(deals.filter((deal) => deal.status === 'bought').length).toBeGreaterThan(0);
  for (const deal of deals.filter((candidate) => candidate.status === 'bought')) {
    const live = dealRows
      .filter((row) => row.client_order_id.startsWith(`tp-${deal.order_key}`) && row.status !== 'REJECTED')
      .map((row) => row.client_order_id.slice(`tp-${deal.order_key}`.length));
    // Each rung once among the orders that reached the exchange (a retry after a rejected one: s3x1),
    // and one take-profit order (a rejected one is replaced by the next: t2).
    const rungs = live.map((name) => name.replace(/x\d+$/, '').replace(/^t\d+$/, 't')).sort();
    expect(rungs).toEqual(['b', 's1', 's2', 's3', 's4', 's5', 's6', 't']);
  }
}

interface Row {
  client_order_id: string;
  status: string;
  filled: string;
}

/** Requests with a 10 s limit: the server is killed under them. */
function json<T>(url: string, init: Parameters<typeof requestJson>[1] = {}) {
  return requestJson<T>(url, { timeoutMs: 10_000, ...init });
}

type Venue = 'paper' | 'binance';
const VENUES: Venue[] = ['paper', 'binance'];
/**
 * Placements sent at once per venue. The paper exchange answers from the server's own database, the
 * embedded one a single session: more paper workers starve Binance's placements of it.
 */
const WORKERS: Record<Venue, number> = { paper: 2, binance: 4 };

/** What one venue's placements came to: ids sent, ids the server answered 201 for. */
interface Placements {
  intended: string[];
  acknowledged: string[];
  pending: number;
}

/**
 * SIGKILL the server at a random moment while orders are being placed on the paper exchange and on
 * an exchange account (a fake Binance, through ccxt) at once, restart it on the same data, and check
 * for each venue that what we intended, what the exchange holds and what the database holds agree: no
 * order lost, none duplicated, none left pending.
 */
describe('crash while placing orders on the paper exchange and on Binance', () => {
  let database: TestDatabase;
  let fake: FakeBinance;
  let server: ServerProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    fake = new FakeBinance('crash-binance-key-0001', BINANCE_SECRET);
    fake.balances.get('USDT')!.free = 10_000_000;
    await fake.start();
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
        TP_FAKE_BINANCE_URL: fake.baseUrl,
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      },
      ENTRY,
    );
  }

  /** Every order of a venue: what the exchange holds and what the database holds agree. */
  function expectAgreement(
    placements: Placements,
    rows: Row[],
    onExchange: Array<{ clientOrderId: string; filled: number }>,
  ): void {
    const intendedIds = new Set(placements.intended.map((id) => `tp-${id}`));
    const dbIds = rows.map((row) => row.client_order_id);
    const exchangeIds = onExchange.map((order) => order.clientOrderId);
    // None duplicated, none unexpected.
    expect(new Set(dbIds).size).toBe(dbIds.length);
    expect(new Set(exchangeIds).size).toBe(exchangeIds.length);
    for (const id of dbIds) expect(intendedIds.has(id)).toBe(true);
    for (const id of exchangeIds) expect(intendedIds.has(id)).toBe(true);
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
    for (const id of placements.acknowledged) {
      expect(exchangeSet.has(id)).toBe(true);
      expect(byId.get(id)?.status).toBe('FILLED');
    }
  }

  it('after the kill and a restart: intended = on the exchange = in the database, on both venues', async () => {
    const base = `http://127.0.0.1:${port}`;
    server = start();
    await waitForStatus(`${base}/api/health`, 200, 60_000);
    const login = await json<{ accessToken: string }>(`${base}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify(ADMIN),
    });
    const token = login.body.accessToken;
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
    const accountOf: Record<Venue, string | undefined> = { paper: undefined, binance: account.body.id };

    const placements: Record<Venue, Placements> = {
      paper: { intended: [], acknowledged: [], pending: 0 },
      binance: { intended: [], acknowledged: [], pending: 0 },
    };
    const place = (venue: Venue, clientOrderId: string) =>
      json(`${base}/api/orders`, {
        method: 'POST',
        token,
        body: JSON.stringify({
          symbol: 'BTC/USDT',
          side: 'buy',
          type: 'market',
          amount: 0.0002,
          clientOrderId,
          ...(accountOf[venue] ? { accountId: accountOf[venue] } : {}),
        }),
      });
    // One order on each venue first, so that the kill falls among placements, not in the exchange's
    // first connection.
    for (const venue of VENUES) {
      const id = `crash-${venue}-warmup`;
      placements[venue].intended.push(id);
      expect((await place(venue, id)).status).toBe(201);
      placements[venue].acknowledged.push(`tp-${id}`);
    }
    let killed = false;
    const killAfterMs = 300 + Math.floor(Math.random() * 1500);
    // DCA deals started one after another on each venue: the kill lands while a ladder is placed.
    const deals: Record<Venue, { started: number; pending: number }> = {
      paper: { started: 0, pending: 0 },
      binance: { started: 0, pending: 0 },
    };
    const dealing = Promise.all(
      VENUES.map(async (venue) => {
        while (!killed && deals[venue].started < MAX_DEALS) {
          deals[venue].started++;
          deals[venue].pending++;
          try {
            await json(`${base}/api/dca/deals`, {
              method: 'POST',
              token,
              body: JSON.stringify({ ...DEAL, ...(accountOf[venue] ? { accountId: accountOf[venue] } : {}) }),
            });
          } catch {
            return; // the server is gone
          } finally {
            deals[venue].pending--;
          }
        }
      }),
    );
    const firing = Promise.all(
      VENUES.flatMap((venue) =>
        Array.from({ length: WORKERS[venue] }, async () => {
          const mine = placements[venue];
          while (!killed && mine.intended.length < MAX_ORDERS) {
            const clientOrderId = `crash-${venue}-${mine.intended.length}`;
            mine.intended.push(clientOrderId);
            mine.pending++;
            try {
              const placed = await place(venue, clientOrderId);
              if (placed.status === 201) mine.acknowledged.push(`tp-${clientOrderId}`);
            } catch {
              return; // the server is gone
            } finally {
              mine.pending--;
            }
          }
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    killed = true;
    // Sent and not answered at the kill, per venue: the kill lands among placements on both.
    const inFlightAtKill = VENUES.map((venue) => placements[venue].pending);
    const dealsAtKill = VENUES.map((venue) => deals[venue].pending);
    server.child.kill('SIGKILL');
    process.stderr.write(
      `crash test: killed ${killAfterMs} ms into placing; in flight: ${VENUES.map(
        (venue, i) => `${venue} ${inFlightAtKill[i]} of ${placements[venue].intended.length}`,
      ).join(
        ', ',
      )}; deals started ${VENUES.map((venue, i) => `${venue} ${deals[venue].started} (${dealsAtKill[i]} starting)`).join(', ')}\n`,
    );
    for (const count of inFlightAtKill) expect(count).toBeGreaterThan(0);
    for (const count of dealsAtKill) expect(count).toBeGreaterThan(0);
    await server.exited;
    await firing;
    await dealing;

    // Start-up reconciliation runs before the server listens; the deals' sweep then completes their ladders.
    server = start();
    await waitForStatus(`${base}/api/health`, 200, 60_000);
    await ladderCompleted(base, token);
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
      const all = await dataSource.query<Row[]>('SELECT client_order_id, status, filled FROM orders');
      const rows = all.filter((row) => row.client_order_id.startsWith('tp-crash-'));
      const ofVenue = (venue: Venue) =>
        rows.filter((row) => row.client_order_id.startsWith(`tp-crash-${venue}-`));
      expect(ofVenue('paper').length + ofVenue('binance').length).toBe(rows.length);
      await expectLaddersOnce(dataSource, all, fake);
      const paperOrders = await dataSource.query<Array<{ client_order_id: string; filled: string }>>(
        "SELECT client_order_id, filled FROM paper_orders WHERE client_order_id LIKE 'tp-crash-%'",
      );
      expectAgreement(
        placements.paper,
        ofVenue('paper'),
        paperOrders.map((order) => ({ clientOrderId: order.client_order_id, filled: Number(order.filled) })),
      );
      expectAgreement(
        placements.binance,
        ofVenue('binance'),
        fake.orders
          .filter((order) => order.clientOrderId.startsWith('tp-crash-'))
          .map((order) => ({ clientOrderId: order.clientOrderId, filled: order.filled })),
      );
    } finally {
      await dataSource.destroy();
    }
  });
});
