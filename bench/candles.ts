/**
 * Candle backfill: batched UNNEST inserts of the candle store against one TypeORM save() per row
 * (the floor), on a throw-away PGlite database.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { CandleRow } from '../src/market/candle.entity';
import { CandleBatchRow, CandleRepository } from '../src/market/candle.repository';
import { SIMULATION_EPOCH_MS, SimulatedMarket } from '../src/market/simulated-market';
import { SIMULATED_UNIVERSE } from '../src/market/simulated-universe';
import { buildDataSourceOptions } from '../src/platform/database/data-source-options';

const BATCHED_ROWS = 100_000;
const SAVED_ROWS = 2_000;

async function main(): Promise<void> {
  Logger.overrideLogger(['error', 'warn']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tradeplane-bench-candles-'));
  const dataSource = new DataSource({
    ...buildDataSourceOptions({
      databaseUrl: process.env.DATABASE_URL,
      pgliteDir: path.join(dir, 'pglite'),
      runMigrations: true,
    }),
    entities: [CandleRow],
    logging: false,
  });
  await dataSource.initialize();
  try {
    const market = new SimulatedMarket(42, SIMULATED_UNIVERSE);
    const minutes = market.candles(0, SIMULATION_EPOCH_MS, SIMULATION_EPOCH_MS + BATCHED_ROWS * 60_000);
    const rows: CandleBatchRow[] = minutes.map((c) => ({ ...c, symbol: 'BTC/USDT', timeframe: '1m' }));
    const repository = new CandleRepository(dataSource);

    let started = performance.now();
    await repository.insertMany('bench-batched', rows);
    const batchedPerSecond = BATCHED_ROWS / ((performance.now() - started) / 1000);

    const save = dataSource.getRepository(CandleRow);
    started = performance.now();
    for (const row of rows.slice(0, SAVED_ROWS)) {
      await save.save({
        exchange: 'bench-saved',
        symbol: row.symbol,
        timeframe: row.timeframe,
        openTime: new Date(row.openTime),
        open: row.open,
        high: row.high,
        low: row.low,
        close: row.close,
        volume: row.volume,
      });
    }
    const savedPerSecond = SAVED_ROWS / ((performance.now() - started) / 1000);
    const ratio = batchedPerSecond / savedPerSecond;
    const driver = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
    console.log(
      `candle writes on ${driver}: batched ${Math.round(batchedPerSecond)} rows/s vs one-row save() ${Math.round(savedPerSecond)} rows/s -> ratio ${ratio.toFixed(1)} ` +
        `(target >= 10, ${ratio >= 10 ? 'met' : 'NOT met'})`,
    );
  } finally {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
