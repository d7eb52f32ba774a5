import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  float8ArrayFromBytes,
  float8ArrayParam,
  timestamptzArrayFromBytes,
  timestamptzArrayParam,
} from '../platform/database/binary-array-params';
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
  private readonly embedded: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.embedded = isEmbedded(dataSource);
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

  /**
   * Candles of several symbols with open times in [from, to], oldest first per symbol, as one row per
   * symbol with each column as an array: about 3x faster than as many rows on PGlite (text arrays,
   * which it parses quickly), and on a server as binary arrays (`array_send`), which node-postgres
   * hands over in one piece to be read without parsing a number (a 30-day, 10-pair backtest's reading
   * 20 % faster than as rows; text arrays there are the slowest).
   */
  async rangeMany(
    exchange: string,
    symbols: readonly string[],
    timeframe: Timeframe,
    from: number,
    to: number,
  ): Promise<Map<string, Candle[]>> {
    const bySymbol = new Map<string, Candle[]>(symbols.map((symbol) => [symbol, []]));
    const column = (name: string) =>
      this.embedded
        ? `array_agg(${name} ORDER BY open_time)`
        : `array_send(array_agg(${name} ORDER BY open_time))`;
    const rows = await this.dataSource.query<
      Array<{ symbol: string } & Record<'t' | 'o' | 'h' | 'l' | 'c' | 'v', unknown>>
    >(
      `SELECT symbol, ${column(this.embedded ? '(extract(epoch FROM open_time) * 1000)::bigint' : 'open_time')} AS t,
         ${column('open')} AS o, ${column('high')} AS h, ${column('low')} AS l, ${column('close')} AS c,
         ${column('volume')} AS v
       FROM candles
       WHERE exchange = $1 AND symbol = ANY($2) AND timeframe = $3
         AND open_time >= to_timestamp($4 / 1000.0) AND open_time <= to_timestamp($5 / 1000.0)
       GROUP BY symbol`,
      [exchange, symbols, timeframe, from, to],
    );
    const numbers = (value: unknown) =>
      this.embedded
        ? (value as Array<string | number>).map(Number)
        : float8ArrayFromBytes(value as Uint8Array);
    for (const row of rows) {
      const candles = bySymbol.get(row.symbol);
      if (!candles) continue;
      const times = this.embedded
        ? (row.t as string[]).map(Number)
        : timestamptzArrayFromBytes(row.t as Uint8Array);
      const [open, high, low, close, volume] = [row.o, row.h, row.l, row.c, row.v].map(numbers);
      for (let i = 0; i < times.length; i++)
        candles.push({
          openTime: times[i],
          open: open[i],
          high: high[i],
          low: low[i],
          close: close[i],
          volume: volume[i],
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
