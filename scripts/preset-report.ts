/**
 * The built-in presets' backtests over the default simulation (seed 42, every symbol, 25 Oct - 20 Nov
 * 2026 unless REPORT_FROM / REPORT_TO / REPORT_SEED say otherwise), through the backtest engine the
 * backtest jobs run, with the paper exchange's fees and book: one line per preset with its trades,
 * win rate, mean R, total return, risk per trade and what sized it, and how often it entered on a day after its
 * daily loss limit was reached. Candles come from the simulation in memory, as the backfill stores them.
 *
 *   npm run report:presets
 */
import {
  entriesAfterDailyLimit,
  SimulatedPresetBacktests,
} from '../src/backtests/simulated-preset-backtests';
import { BUILTIN_PRESETS } from '../src/presets/builtin-presets';

const SEED = Number(process.env.REPORT_SEED ?? 42);
const FROM = Date.parse(process.env.REPORT_FROM ?? '2026-10-25T00:00:00Z');
const TO = Date.parse(process.env.REPORT_TO ?? '2026-11-20T00:00:00Z');
const STARTING_BALANCE = 10_000;

async function main(): Promise<void> {
  const backtests = new SimulatedPresetBacktests(SEED, FROM, TO, STARTING_BALANCE);
  const percent = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(2)} %`);
  process.stdout.write(
    `seed ${SEED}, every simulated symbol, ${new Date(FROM).toISOString().slice(0, 10)} to ${new Date(TO).toISOString().slice(0, 10)}\n`,
  );
  process.stdout.write(
    'preset | trades | win rate | mean R | total return | risk per trade at the stop, costs in (configured) | sized by risk/cash/slot | limit days, entries after\n',
  );
  for (const [name, config] of Object.entries(BUILTIN_PRESETS)) {
    if (config.kind !== 'strategy') continue; // DCA presets have their own backtest metrics
    const { metrics, trades } = await backtests.run(config);
    const limit = entriesAfterDailyLimit(trades, config.risk.dailyLossLimitR);
    process.stdout.write(
      `${name} | ${metrics.trades} | ${percent(metrics.winRate)} | ${metrics.avgR === null ? '-' : metrics.avgR.toFixed(3)} | ${percent(metrics.totalReturn)} | ${percent(metrics.meanRiskShare)} (${percent(config.risk.riskPerTrade)}) | ${metrics.sizedBy.risk}/${metrics.sizedBy.cash}/${metrics.sizedBy.slot} | ${limit.days}, ${limit.entries}\n`,
    );
  }
}

void main();
