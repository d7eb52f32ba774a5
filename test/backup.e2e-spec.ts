import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { backupDataFolder, restoreDataFolder } from '../src/platform/database/pglite-backup';
import { OrderReconciler } from '../src/trading/order-reconciler.service';
import { call, loginAdmin } from './support/auth-client';
import { startTestApp } from './support/test-app';
import { migrate, TEMPLATE_ENV, TestDatabase, testDataRoot } from './support/test-database';

/** A data folder with the embedded database (PGlite), on either pass: backups are for the embedded default. */
async function embeddedDataFolder(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(testDataRoot(), 'tradeplane-backup-'));
  const template = process.env[TEMPLATE_ENV.pgliteDir];
  if (template) cpSync(template, path.join(dataDir, 'pglite'), { recursive: true });
  else await migrate({ pgliteDir: path.join(dataDir, 'pglite') });
  return {
    databaseUrl: undefined,
    dataDir,
    drop: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
  };
}

const TABLES = ['orders', 'fills', 'trades', 'users', 'api_keys', 'audit_log', 'paper_balances'];

async function snapshot(dataSource: DataSource): Promise<Record<string, string[]>> {
  const rows: Record<string, string[]> = {};
  for (const table of TABLES)
    rows[table] = (
      await dataSource.query<Array<{ row: string }>>(
        // updated_at aside: the start-up reconciliation touches the open order it looked up.
        `SELECT (to_jsonb(t) - 'updated_at')::text AS row FROM ${table} t ORDER BY 1`,
      )
    ).map((row) => row.row);
  return rows;
}

describe('backup and restore of the embedded database', () => {
  it('restores every row into a fresh data folder, where the app starts, reconciles clean, and keeps its secrets', async () => {
    const original = await embeddedDataFolder();
    const restored: TestDatabase = {
      databaseUrl: undefined,
      dataDir: mkdtempSync(path.join(testDataRoot(), 'tradeplane-restored-')),
      drop: () => Promise.resolve(),
    };
    restored.drop = () => Promise.resolve(rmSync(restored.dataDir, { recursive: true, force: true }));
    const file = path.join(original.dataDir, '..', `${path.basename(original.dataDir)}.backup`);
    try {
      const first = await startTestApp({ RATE_LIMIT_CONTROL: '100000' }, { database: original });
      const token = (await loginAdmin(first)).accessToken;
      const order = await call<{ id: string; status: string }>(first, 'POST', '/api/orders', {
        token,
        body: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01 },
      });
      expect(order.body.status).toBe('FILLED');
      const resting = await call<{ id: string; status: string }>(first, 'POST', '/api/orders', {
        token,
        body: { symbol: 'ETH/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 1_000 },
      });
      expect(resting.body.status).toBe('OPEN');
      const trade = await call<{ id: string }>(first, 'POST', '/api/trades', {
        token,
        body: { symbol: 'SOL/USDT', side: 'buy', amount: 1, stopLoss: 1 },
      });
      expect(trade.status).toBe(201);
      const before = await snapshot(first.app.get(DataSource));
      await first.close();
      expect(before.orders.length).toBeGreaterThanOrEqual(3);
      expect(before.trades.length).toBeGreaterThanOrEqual(1);

      const written = await backupDataFolder(original.dataDir, file);
      expect(written.withSecrets).toBe(true);
      await restoreDataFolder(file, restored.dataDir);
      await expect(restoreDataFolder(file, restored.dataDir)).rejects.toThrow('already holds a database');

      const second = await startTestApp({}, { database: restored });
      try {
        expect(await snapshot(second.app.get(DataSource))).toEqual(before);
        // The start-up reconciliation looked at the open order and found it as the paper exchange has it.
        expect(second.app.get(OrderReconciler).lastReport).toMatchObject({
          errors: 0,
          stillUnknown: 0,
          changed: 0,
        });
        // The same secrets: a session signed before the backup is still good.
        const me = await call<{ username: string }>(second, 'GET', '/api/auth/me', { token });
        expect(me.status).toBe(200);
        const listed = await call<{ items: Array<{ id: string; status: string }> }>(
          second,
          'GET',
          '/api/orders?limit=10',
          {
            token,
          },
        );
        expect(listed.body.items.find((item) => item.id === resting.body.id)?.status).toBe('OPEN');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(file, { force: true });
      await original.drop();
      await restored.drop();
    }
  });
});
