import { BUILTIN_PRESETS } from '../presets/builtin-presets';
import { entriesAfterDailyLimit, SimulatedPresetBacktests } from './simulated-preset-backtests';

// Weeks of candles of 30 symbols are generated and replayed; the deadline only stops a hang.
jest.setTimeout(120_000);

/**
 * The built-in presets over the default simulation (seed 42, 25 Oct - 20 Nov 2026), the window the
 * fidelity review measured: what their backtests do has to be what their bots would do.
 */
describe('built-in presets backtested over the default simulation', () => {
  const backtests = new SimulatedPresetBacktests(
    42,
    Date.parse('2026-10-25T00:00:00Z'),
    Date.parse('2026-11-20T00:00:00Z'),
  );

  it.each(Object.entries(BUILTIN_PRESETS))(
    '%s never enters on a day after its closed trades reached the daily loss limit',
    async (_name, config) => {
      const { trades, metrics } = await backtests.run(config);
      const audit = entriesAfterDailyLimit(trades, config.risk.dailyLossLimitR);
      // The limit is reached on some days (so the check has something to check), and paused there.
      expect(audit.days).toBeGreaterThan(0);
      expect(
        metrics.riskPauses.filter((pause) => pause.code === 'DAILY_LOSS_LIMIT').length,
      ).toBeGreaterThanOrEqual(audit.days);
      expect(audit.entries).toBe(0);
    },
  );
});
