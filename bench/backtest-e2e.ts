/**
 * A backtest end to end on PostgreSQL: POST /api/backtests for breakout_v1 over 30 days of 1m candles
 * of 10 pairs (432,000 candles and the strategy's warm-up), through the job queue, reading the candles
 * and the scanner's hours and quarters from the database, until GET /api/backtests/:id says completed.
 * The simulated market's backfill fills a throw-away database first (not timed). The figure is candles
 * replayed per second of wall time, with the share of it spent before the replay began (reading).
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { createApp } from '../src/bootstrap';
import { MarketSimulationService } from '../src/market/market-simulation.service';
import { benchConfig, onThrowAwayPostgres } from './support/bench-config';
import { median } from './support/load';
import { BENCH_ADMIN, get, post } from './support/principals';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DAYS = 30;
const DAY_MS = 86_400_000;
const TARGET_PER_SECOND = 250_000;
/** Progress when the stored candles have been read and the replay begins (no download: 0 + LOAD_SHARE). */
const REPLAY_STARTS_AT = 30;
const SYMBOLS = [
  'BTC/USDT',
  'ETH/USDT',
  'SOL/USDT',
  'BNB/USDT',
  'XRP/USDT',
  'ADA/USDT',
  'DOGE/USDT',
  'AVAX/USDT',
  'DOT/USDT',
  'LINK/USDT',
];

interface BacktestView {
  id: string;
  status: string;
  progress: number;
  candles: number | null;
  error: string | null;
}

async function main(): Promise<void> {
  await onThrowAwayPostgres('backtest end to end on PostgreSQL', measure);
}

async function measure(databaseUrl: string): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tradeplane-bench-'));
  const app = await createApp(
    benchConfig(dataDir, {
      DATABASE_URL: databaseUrl,
      MARKET_BACKFILL_DAYS: String(DAYS + 2),
    }),
    { logger: pino({ level: 'warn' }) },
  );
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const backfillStarted = performance.now();
    const backfill = await app.get(MarketSimulationService).whenBackfilled();
    if (backfill.state !== 'done') throw new Error(`the backfill ended ${backfill.state}: ${backfill.error}`);
    console.log(
      `(set-up: backfilled ${backfill.storedCandles} candles in ${((performance.now() - backfillStarted) / 1000).toFixed(1)} s)`,
    );
    const { accessToken } = await post<{ accessToken: string }>(`${base}/api/auth/login`, BENCH_ADMIN);
    const to = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const from = to - DAYS * DAY_MS;
    const seconds: number[] = [];
    const readingSeconds: number[] = [];
    let candles = 0;
    // The first run warms the code and the database's cache up; it is not counted.
    for (let round = -1; round < ROUNDS; round++) {
      const started = performance.now();
      const queued = await post<BacktestView>(
        `${base}/api/backtests`,
        {
          preset: 'breakout_v1',
          symbols: SYMBOLS,
          timeframe: '1m',
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
        },
        accessToken,
      );
      let job = queued;
      let replayStarted: number | undefined;
      while (job.status === 'queued' || job.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 10));
        job = await get<BacktestView>(`${base}/api/backtests/${queued.id}`, accessToken);
        if (replayStarted === undefined && job.progress >= REPLAY_STARTS_AT)
          replayStarted = performance.now();
      }
      if (job.status !== 'completed') throw new Error(`backtest ${job.id} ended ${job.status}: ${job.error}`);
      const elapsed = (performance.now() - started) / 1000;
      if (round < 0) continue;
      seconds.push(elapsed);
      readingSeconds.push(((replayStarted ?? performance.now()) - started) / 1000);
      candles = job.candles ?? 0;
    }
    const perSecond = candles / median(seconds);
    console.log(
      `backtest end to end on PostgreSQL, breakout_v1 over ${DAYS} days x ${SYMBOLS.length} pairs of 1m candles: ` +
        `${candles} candles in ${median(seconds).toFixed(2)} s (${median(readingSeconds).toFixed(2)} s until the replay began) -> ` +
        `${Math.round(perSecond).toLocaleString('en')} candles/s (target >= ${TARGET_PER_SECOND.toLocaleString('en')}, ${perSecond >= TARGET_PER_SECOND ? 'met' : 'NOT met'})`,
    );
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
