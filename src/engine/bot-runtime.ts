import { SerialQueue } from '../platform/async/serial-queue';
import type { MarketInfo } from '../exchange/exchange-port';
import type { CandleSource } from '../market/candle-source';
import type { Candle } from '../market/market-types';
import type { PresetConfig } from '../presets/preset-config';
import type { ScanResult } from '../scanner/scanner.service';
import type { Parameters, Signal, Strategy, StrategyStream } from '../strategies/strategy';
import type { Bot } from './bot.entity';
import type { FactorTape } from '../ml/ml-gated-strategy';

/** How many candles before the first one a bot acts on feed its strategy streams. */
export function warmupCandles(strategy: Strategy, params: Parameters): number {
  return strategy.minCandles(params) + 200;
}

/** What a running bot keeps in memory between cycles, in the instance that holds its lease. */
export class BotRuntime {
  /** Per symbol: the strategy's stream, the open time of the last candle it took, and its signal on it. */
  /** Per symbol: the strategy's stream, the newest candle fed to it, and what it said then. */
  readonly streams = new Map<
    string,
    { stream: StrategyStream; through: number; lastSignal?: Signal; lastCandle?: Candle }
  >();
  markets: Map<string, MarketInfo> | null = null;
  cycleCount = 0;
  latencyTotalMs = 0;
  lastLatencyMs: number | null = null;
  consecutiveErrors = 0;
  /** Close time of the candle whose cycle last scanned. */
  lastScanAt: number | null = null;
  lastScan: ScanResult | null = null;
  /** The bot's cycles and commands, one at a time. */
  readonly queue = new SerialQueue();

  constructor(
    public bot: Bot,
    public config: PresetConfig,
    readonly strategy: Strategy,
    readonly params: Parameters,
    /** Where its candles come from: the simulated market, or its exchange account's exchange. */
    readonly source: CandleSource,
    readonly startedAtMs: number,
    /** An ML preset's market factor returns (its streams read them), fed with the factor's candles. */
    readonly factor: FactorTape | null = null,
  ) {}
}
