import { BUILTIN_PRESETS } from '../presets/builtin-presets';
import type { PresetConfig } from '../presets/preset-config';
import type { BacktestResult } from './backtest-types';
import { entriesAfterDailyLimit, SimulatedPresetBacktests } from './simulated-preset-backtests';

// Weeks of candles of 30 symbols are generated and replayed; the deadline only stops a hang.
jest.setTimeout(120_000);

/**
 * The built-in presets over the default simulation (seed 42, 25 Oct - 20 Nov 2026), the window the
 * fidelity review measured: what their backtests do has to be what their bots would do.
 */
/** The presets that trade their strategy's signals under the risk rules (not the DCA ones). */
const strategyPresets = Object.entries(BUILTIN_PRESETS).filter(([, config]) => config.kind === 'strategy');

describe('built-in presets backtested over the default simulation', () => {
  const backtests = new SimulatedPresetBacktests(
    42,
    Date.parse('2026-10-25T00:00:00Z'),
    Date.parse('2026-11-20T00:00:00Z'),
  );
  // Each preset is replayed once, by whichever test asks first.
  const results = new Map<PresetConfig, Promise<BacktestResult>>();
  const backtestOf = (config: PresetConfig) => {
    if (!results.has(config)) results.set(config, backtests.run(config));
    return results.get(config)!;
  };

  it.each(strategyPresets)(
    '%s never enters on a day after its closed trades reached the daily loss limit',
    async (_name, config) => {
      const { trades, metrics } = await backtestOf(config);
      const audit = entriesAfterDailyLimit(trades, config.risk.dailyLossLimitR);
      // The limit is reached on some days (so the check has something to check), and pauses entries
      // (on a day when a losing-streak pause already held them, that pause does).
      expect(audit.days).toBeGreaterThan(0);
      expect(metrics.riskPauses.some((pause) => pause.code === 'DAILY_LOSS_LIMIT')).toBe(true);
      expect(audit.entries).toBe(0);
    },
  );

  it.each(strategyPresets)(
    '%s risks riskPerTrade at the stop, costs included, on every trade a cap did not size',
    async (_name, config) => {
      const { trades, metrics } = await backtestOf(config);
      expect(trades.length).toBeGreaterThan(0);
      for (const trade of trades.filter((candidate) => candidate.sizedBy === 'risk'))
        expect(Math.abs(trade.riskShare / config.risk.riskPerTrade - 1)).toBeLessThan(0.1);
      // The mean is riskPerTrade, or the backtest says which cap held trades below it.
      const capped = metrics.sizedBy.cash + metrics.sizedBy.slot;
      expect(metrics.sizedBy.risk + capped).toBe(trades.length);
      expect(Math.abs(metrics.meanRiskShare! / config.risk.riskPerTrade - 1) < 0.1 || capped > 0).toBe(true);
    },
  );
});
