import { Injectable } from '@nestjs/common';
import { CandleRepository } from '../market/candle.repository';
import { CandleSource } from '../market/candle-source';
import { ClosedCandleWindows } from '../market/closed-candle-windows';
import type { Candle } from '../market/market-types';
import { MarketDataService } from '../market/market-data.service';
import { requireSymbol } from '../market/symbols';
import { Timeframe, TIMEFRAME_MS } from '../market/timeframes';
import { EventBus } from '../platform/events/event-bus';
import { Clock } from '../platform/time/clock';
import { PresetConfig } from '../presets/preset-config';
import { PresetsService } from '../presets/presets.service';
import {
  HOURS_NEEDED,
  measure,
  QUARTERS_NEEDED,
  rangeCandlesOf,
  scoreAll,
  SymbolScan,
} from './scanner-metrics';

export interface ScanResult {
  preset: string;
  exchange: string;
  candidates: SymbolScan[];
  totalScanned: number;
  passedFilters: number;
  scannedAt: string;
  durationMs: number;
}

export interface ScannerStatus {
  status: 'idle' | 'scanning';
  lastScan: string | null;
  lastPreset: string | null;
  candidatesFound: number;
  totalScanned: number;
  scanDurationMs: number | null;
  scans: number;
}

/** Scores a symbol universe against a preset from the stored candles (seed 002's scanner). */
@Injectable()
export class ScannerService {
  private running = 0;
  /** Scans run every bot cycle over the same closed candles: each reads only what closed since. */
  private readonly windows: ClosedCandleWindows;
  private readonly state: Omit<ScannerStatus, 'status'> = {
    lastScan: null,
    lastPreset: null,
    candidatesFound: 0,
    totalScanned: 0,
    scanDurationMs: null,
    scans: 0,
  };

  constructor(
    private readonly candles: CandleRepository,
    private readonly marketData: MarketDataService,
    private readonly presets: PresetsService,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {
    this.windows = new ClosedCandleWindows((...range) => this.candles.rangeMany(...range));
  }

  status(): ScannerStatus {
    return { status: this.running > 0 ? 'scanning' : 'idle', ...this.state };
  }

  /**
   * The request's symbols (validated against the source), else the preset's universe, else the
   * simulated market's pairs: all of them on the simulated market, those the exchange lists on an
   * exchange (an exchange lists far more pairs than a scan should read every candle of).
   */
  universeOf(config: PresetConfig, symbols?: string[] | null, source?: CandleSource): string[] {
    const known = source?.symbols ?? new Set(this.marketData.symbols());
    if (symbols?.length) return [...new Set(symbols.map((raw) => requireSymbol(raw, known)))];
    const universe = config.scannerConfig.universe ?? this.marketData.symbols();
    return universe.filter((symbol) => known.has(symbol));
  }

  async scanPreset(
    presetName: string,
    options: { limit?: number; symbols?: string[]; accountId?: string } = {},
  ): Promise<ScanResult> {
    const preset = await this.presets.get(presetName);
    const source = await this.marketData.candleSource(options.accountId);
    return this.scan(preset.name, preset.config, { ...options, source });
  }

  async scan(
    presetName: string,
    config: PresetConfig,
    options: { limit?: number; symbols?: string[] | null; botId?: string; source?: CandleSource } = {},
  ): Promise<ScanResult> {
    const source = options.source ?? (await this.marketData.candleSource());
    const universe = this.universeOf(config, options.symbols, source);
    const started = performance.now();
    this.running++;
    try {
      const now = this.clock.nowMs();
      const [hours, quarters, ranges] = await Promise.all([
        this.closed(source, universe, '1h', HOURS_NEEDED, now),
        this.closed(source, universe, '15m', QUARTERS_NEEDED, now),
        this.closed(source, universe, config.timeframe, rangeCandlesOf(config), now),
      ]);
      const measured = [];
      for (const symbol of universe) {
        const scan = measure({
          symbol,
          hours: hours.get(symbol) ?? [],
          quarters: quarters.get(symbol) ?? [],
          range: ranges.get(symbol) ?? [],
        });
        if (scan) measured.push(scan);
      }
      const scored = scoreAll(measured, config.scannerConfig);
      const passed = scored.filter((scan) => scan.passed);
      const limit = options.limit ?? config.scannerConfig.maxCandidates;
      const result: ScanResult = {
        preset: presetName,
        exchange: source.exchangeId,
        candidates: passed.slice(0, limit),
        totalScanned: universe.length,
        passedFilters: passed.length,
        scannedAt: new Date(now).toISOString(),
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      };
      Object.assign(this.state, {
        lastScan: result.scannedAt,
        lastPreset: presetName,
        candidatesFound: result.candidates.length,
        totalScanned: result.totalScanned,
        scanDurationMs: result.durationMs,
        scans: this.state.scans + 1,
      });
      this.events.publish('scanner.result', { ...result, botId: options.botId ?? null });
      return result;
    } finally {
      this.running--;
    }
  }

  /** Per symbol, the `count` closed candles before now, oldest first: one query for all the symbols. */
  private async closed(
    source: CandleSource,
    symbols: string[],
    timeframe: Timeframe,
    count: number,
    now: number,
  ): Promise<Map<string, Candle[]>> {
    const span = TIMEFRAME_MS[timeframe];
    const end = Math.floor(now / span) * span;
    await source.ensure(symbols, timeframe, end - count * span, end - span);
    return this.windows.last(source.key, symbols, timeframe, count, end);
  }
}
