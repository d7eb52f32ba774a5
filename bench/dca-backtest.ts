/**
 * DCA backtest speed, end to end: dca_conservative_v1's bot over 30 days × 10 pairs of 1m candles
 * (432,000) stored in a throw-away PGlite database (or DATABASE_URL), read back as a backtest job
 * reads them (BacktestCandles.load) and replayed with the deal rules (runDcaBacktest). The floor is
 * the same candles read by one raw SELECT per symbol into plain arrays, in the same run.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { BacktestCandles } from '../src/backtests/backtest-candles';
import { runDcaBacktest } from '../src/backtests/dca-backtest-engine';
import { CandleRow } from '../src/market/candle.entity';
import { CandleRepository } from '../src/market/candle.repository';
import { SIMULATION_EPOCH_MS, SimulatedMarket } from '../src/market/simulated-market';
import { SIMULATED_UNIVERSE } from '../src/market/simulated-universe';
import { buildDataSourceOptions } from '../src/platform/database/data-source-options';
import { Money } from '../src/platform/decimal/money';
import { BUILTIN_PRESETS } from '../src/presets/builtin-presets';
import { median } from './support/load';

const DAYS = 30;
const PAIRS = 10;
const MINUTE = 60_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** 30 days × 10 pairs in at most about 4.3 s: a month's backtest answers while its user waits. */
const TARGET_PER_SECOND = 100_000;
const SOURCE = 'bench-dca';

async function main(): Promise<void> {
  Logger.overrideLogger(['error', 'warn']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tradeplane-bench-dca-'));
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
    const from = SIMULATION_EPOCH_MS + 10 * 86_400_000;
    const to = from + DAYS * 86_400_000;
    const pairs = SIMULATED_UNIVERSE.slice(0, PAIRS);
    const repository = new CandleRepository(dataSource);
    const market = new SimulatedMarket(42, SIMULATED_UNIVERSE);
    let started = performance.now();
    for (const [index, pair] of pairs.entries())
      await repository.insertMany(
        SOURCE,
        market
          .candles(index, from, to)
          .map((candle) => ({ ...candle, symbol: pair.symbol, timeframe: '1m' })),
      );
    const storeSeconds = (performance.now() - started) / 1000;
    const symbols = pairs.map((pair) => pair.symbol);
    const history = new BacktestCandles(repository);
    const preset = BUILTIN_PRESETS.dca_conservative_v1;
    const steps = new Map(pairs.map((pair) => [pair.symbol, pair]));

    const endToEnd = async () => {
      const stored = await history.load(symbols, SOURCE, '1m', from, to - MINUTE, async () => undefined);
      const loaded = performance.now();
      const result = await runDcaBacktest(
        symbols.map((symbol) => ({
          symbol,
          candles: stored.get(symbol) ?? [],
          market: {
            priceStep: new Money(steps.get(symbol)!.tickSize).toFixed(),
            amountStep: new Money(steps.get(symbol)!.stepSize).toFixed(),
          },
        })),
        {
          from,
          to,
          span: MINUTE,
          dca: { ...preset.dca!, maxActiveDeals: PAIRS },
          startingBalance: 10_000,
          takerFee: 0.001,
        },
      );
      return { result, replaySeconds: (performance.now() - loaded) / 1000 };
    };
    const rawRead = async () => {
      let rows = 0;
      for (const symbol of symbols) {
        const read = await dataSource.query<unknown[]>(
          `SELECT open_time, open, high, low, close, volume FROM candles
           WHERE exchange = $1 AND symbol = $2 AND timeframe = '1m' AND open_time >= to_timestamp($3 / 1000.0) AND open_time < to_timestamp($4 / 1000.0)`,
          [SOURCE, symbol, from, to],
        );
        rows += read.length;
      }
      return rows;
    };

    const first = await endToEnd();
    const candles = first.result.candles;
    const subject: number[] = [];
    const replays: number[] = [];
    const floor: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      started = performance.now();
      const rows = await rawRead();
      floor.push((performance.now() - started) / 1000);
      if (rows !== candles) throw new Error(`the floor read ${rows} candles, the backtest ${candles}`);
      started = performance.now();
      const { replaySeconds } = await endToEnd();
      subject.push((performance.now() - started) / 1000);
      replays.push(replaySeconds);
    }
    const perSecond = candles / median(subject);
    const { metrics } = first.result;
    const driver = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
    console.log(
      `DCA backtest of dca_conservative_v1, ${DAYS} days x ${PAIRS} pairs of 1m candles (${candles}) on ${driver}: ` +
        `${Math.round(perSecond)} candles/s end to end (target >= ${TARGET_PER_SECOND}, ${perSecond >= TARGET_PER_SECOND ? 'met' : 'NOT met'}); ` +
        `replay alone ${Math.round(candles / median(replays))} candles/s; ` +
        `${(median(subject) / median(floor)).toFixed(2)}x a raw SELECT of the same candles (${median(floor).toFixed(2)} s); ` +
        `${metrics.deals} deals, ${metrics.closedDeals} closed, ${metrics.avgSafetyOrders ?? '-'} safety orders per deal, ` +
        `max capital in use ${metrics.maxCapitalInUse.toFixed(2)}, longest deal ${metrics.longestDealMinutes ?? '-'} min, ` +
        `max drawdown ${(metrics.maxDrawdown * 100).toFixed(2)} %, return ${(metrics.totalReturn * 100).toFixed(2)} % ` +
        `(candles stored in ${storeSeconds.toFixed(1)} s, not counted)`,
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
