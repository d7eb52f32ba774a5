import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { float8ArrayParam, timestamptzArrayParam } from '../platform/database/binary-array-params';
import { isEmbedded } from '../platform/database/pglite-pool';
import type { Candle } from './market-types';
import { Timeframe } from './timeframes';

export interface CandleBatchRow extends Candle {
  symbol: string;
  timeframe: Timeframe;
}

/** A candle as the reads select it: the open time in epoch milliseconds (bigint, so text). */
interface CandleRow {
  t: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

function toCandle(row: CandleRow): Candle {
  return {
    openTime: Number(row.t),
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: row.volume,
  };
}

/** Rows per INSERT: large enough to amortise the round trip, small enough for PGlite's memory. */
export const CANDLE_BATCH_SIZE = 5000;

/** Candle reads and batched writes; every query uses the (exchange, symbol, timeframe, open_time) key. */
@Injectable()
export class CandleRepository {
  /**
   * Range reads as one row of arrays per symbol on the embedded PGlite, which turns a few arrays into
   * values about 3x faster than as many rows; a server's driver is the other way round (its array
   * parsing is the slow part), so it reads rows.
   */
  private readonly readsArrays: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.readsArrays = isEmbedded(dataSource);
  }

  /**
   * Inserts many candles with one statement per batch; existing candles are kept as they are. Times and
   * prices go in binary: parsing their text was most of a backfill's time on PGlite.
   */
  async insertMany(exchange: string, rows: readonly CandleBatchRow[]): Promise<number> {
    let inserted = 0;
    for (let start = 0; start < rows.length; start += CANDLE_BATCH_SIZE) {
      const batch = rows.slice(start, start + CANDLE_BATCH_SIZE);
      const result = await this.dataSource.query<[unknown[], number]>(
        `INSERT INTO candles (exchange, symbol, timeframe, open_time, open, high, low, close, volume)
         SELECT $1, u.symbol, u.timeframe, u.t, u.o, u.h, u.l, u.c, u.v
         FROM UNNEST($2::text[], $3::text[], $4::timestamptz[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::float8[])
           AS u(symbol, timeframe, t, o, h, l, c, v)
         ON CONFLICT DO NOTHING`,
        [
          exchange,
          batch.map((row) => row.symbol),
          batch.map((row) => row.timeframe),
          timestamptzArrayParam(batch.map((row) => row.openTime)),
          float8ArrayParam(batch.map((row) => row.open)),
          float8ArrayParam(batch.map((row) => row.high)),
          float8ArrayParam(batch.map((row) => row.low)),
          float8ArrayParam(batch.map((row) => row.close)),
          float8ArrayParam(batch.map((row) => row.volume)),
        ],
      );
      inserted += Array.isArray(result) && typeof result[1] === 'number' ? result[1] : batch.length;
    }
    return inserted;
  }

  /** Candles of several symbols with open times in [from, to], oldest first per symbol. */
  async rangeMany(
    exchange: string,
    symbols: readonly string[],
    timeframe: Timeframe,
    from: number,
    to: number,
  ): Promise<Map<string, Candle[]>> {
    const bySymbol = new Map<string, Candle[]>(symbols.map((symbol) => [symbol, []]));
    if (!this.readsArrays) {
      const rows = await this.dataSource.query<Array<CandleRow & { symbol: string }>>(
        `SELECT symbol, (extract(epoch FROM open_time) * 1000)::bigint AS t, open, high, low, close, volume
         FROM candles
         WHERE exchange = $1 AND symbol = ANY($2) AND timeframe = $3
           AND open_time >= to_timestamp($4 / 1000.0) AND open_time <= to_timestamp($5 / 1000.0)
         ORDER BY symbol, open_time`,
        [exchange, symbols, timeframe, from, to],
      );
      for (const row of rows) bySymbol.get(row.symbol)?.push(toCandle(row));
      return bySymbol;
    }
    const rows = await this.dataSource.query<
      Array<{ symbol: string; t: string[]; o: number[]; h: number[]; l: number[]; c: number[]; v: number[] }>
    >(
      `SELECT symbol,
         array_agg((extract(epoch FROM open_time) * 1000)::bigint ORDER BY open_time) AS t,
         array_agg(open ORDER BY open_time) AS o, array_agg(high ORDER BY open_time) AS h,
         array_agg(low ORDER BY open_time) AS l, array_agg(close ORDER BY open_time) AS c,
         array_agg(volume ORDER BY open_time) AS v
       FROM candles
       WHERE exchange = $1 AND symbol = ANY($2) AND timeframe = $3
         AND open_time >= to_timestamp($4 / 1000.0) AND open_time <= to_timestamp($5 / 1000.0)
       GROUP BY symbol`,
      [exchange, symbols, timeframe, from, to],
    );
    for (const row of rows) {
      const candles = bySymbol.get(row.symbol);
      if (!candles) continue;
      for (let i = 0; i < row.t.length; i++)
        candles.push({
          openTime: Number(row.t[i]),
          open: Number(row.o[i]),
          high: Number(row.h[i]),
          low: Number(row.l[i]),
          close: Number(row.c[i]),
          volume: Number(row.v[i]),
        });
    }
    return bySymbol;
  }

  /** Candles in [from, to), oldest first, at most `limit` (the newest ones when the range holds more). */
  async range(
    exchange: string,
    symbol: string,
    timeframe: Timeframe,
    from: number,
    to: number,
    limit: number,
  ): Promise<Candle[]> {
    const rows = await this.dataSource.query<CandleRow[]>(
      `SELECT (extract(epoch FROM open_time) * 1000)::bigint AS t, open, high, low, close, volume
       FROM candles
       WHERE exchange = $1 AND symbol = $2 AND timeframe = $3 AND open_time >= to_timestamp($4 / 1000.0) AND open_time < to_timestamp($5 / 1000.0)
       ORDER BY open_time DESC
       LIMIT $6`,
      [exchange, symbol, timeframe, from, to, limit],
    );
    return rows.reverse().map(toCandle);
  }

  /** Per symbol: how many candles are stored with open times in [from, to], and the newest one's. */
  async coverage(
    exchange: string,
    symbols: readonly string[],
    timeframe: Timeframe,
    from: number,
    to: number,
  ): Promise<Map<string, { count: number; newest: number }>> {
    const rows = await this.dataSource.query<Array<{ symbol: string; n: number; t: string }>>(
      `SELECT symbol, count(*)::int AS n, (extract(epoch FROM max(open_time)) * 1000)::bigint AS t
       FROM candles
       WHERE exchange = $1 AND symbol = ANY($2) AND timeframe = $3
         AND open_time >= to_timestamp($4 / 1000.0) AND open_time <= to_timestamp($5 / 1000.0)
       GROUP BY symbol`,
      [exchange, symbols, timeframe, from, to],
    );
    return new Map(rows.map((row) => [row.symbol, { count: row.n, newest: Number(row.t) }]));
  }

  /** The open time of the newest stored candle per symbol, for one timeframe. */
  async latestOpenTimes(exchange: string, timeframe: Timeframe): Promise<Map<string, number>> {
    const rows = await this.dataSource.query<Array<{ symbol: string; t: string }>>(
      `SELECT symbol, (extract(epoch FROM max(open_time)) * 1000)::bigint AS t FROM candles WHERE exchange = $1 AND timeframe = $2 GROUP BY symbol`,
      [exchange, timeframe],
    );
    return new Map(rows.map((row) => [row.symbol, Number(row.t)]));
  }

  async count(exchange: string, timeframe?: Timeframe): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM candles WHERE exchange = $1 AND ($2::text IS NULL OR timeframe = $2)`,
      [exchange, timeframe ?? null],
    );
    return row.n;
  }
}
