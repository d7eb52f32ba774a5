/** One pair of the simulated market, with the parameters that shape its price and volume. */
export interface SimulatedPair {
  symbol: string;
  base: string;
  quote: string;
  /**
   * Price on the simulation's epoch day. The pair's anchor then drifts (a slow random walk) and its price
   * is pulled back only when it strays far from it, so years of history stay plausible.
   */
  anchorPrice: number;
  /** Sensitivity to the common (BTC) factor. */
  beta: number;
  /** Daily volatility of the pair's own moves, on top of beta x market. */
  idiosyncraticDailyVol: number;
  /** Typical quote volume (USDT) per minute. */
  quoteVolumePerMinute: number;
  /** Quoted spread, basis points. */
  spreadBps: number;
  /** Smallest price step and amount step, as on an exchange. */
  tickSize: number;
  stepSize: number;
  minNotional: number;
}

function pair(
  base: string,
  anchorPrice: number,
  beta: number,
  vol: number,
  quoteVolume: number,
  spreadBps: number,
): SimulatedPair {
  const magnitude = Math.floor(Math.log10(anchorPrice));
  return {
    symbol: `${base}/USDT`,
    base,
    quote: 'USDT',
    anchorPrice,
    beta,
    idiosyncraticDailyVol: vol,
    quoteVolumePerMinute: quoteVolume,
    spreadBps,
    tickSize: 10 ** (magnitude - 5),
    // One step of the amount is worth about a tenth of a price unit: 0.00001 BTC, 0.0001 ETH, 1 XRP.
    stepSize: 10 ** (-magnitude - 1),
    minNotional: 5,
  };
}

/** About 30 USDT pairs, BTC first: the default universe of the embedded market. */
export const SIMULATED_UNIVERSE: readonly SimulatedPair[] = [
  pair('BTC', 60_000, 1.0, 0.006, 2_500_000, 1),
  pair('ETH', 3_000, 1.15, 0.012, 1_200_000, 1.5),
  pair('SOL', 150, 1.4, 0.022, 500_000, 3),
  pair('BNB', 550, 0.8, 0.012, 250_000, 3),
  pair('XRP', 0.6, 1.05, 0.022, 300_000, 4),
  pair('ADA', 0.45, 1.2, 0.022, 120_000, 5),
  pair('DOGE', 0.15, 1.35, 0.03, 250_000, 5),
  pair('AVAX', 35, 1.4, 0.024, 100_000, 5),
  pair('DOT', 7, 1.2, 0.02, 70_000, 5),
  pair('LINK', 15, 1.25, 0.022, 90_000, 5),
  pair('POL', 0.7, 1.3, 0.024, 60_000, 6),
  pair('LTC', 80, 0.9, 0.016, 80_000, 4),
  pair('TRX', 0.12, 0.6, 0.014, 60_000, 6),
  pair('ATOM', 9, 1.15, 0.02, 50_000, 6),
  pair('UNI', 8, 1.3, 0.024, 50_000, 6),
  pair('ETC', 25, 1.0, 0.02, 40_000, 6),
  pair('XLM', 0.11, 0.95, 0.02, 40_000, 7),
  pair('NEAR', 5, 1.45, 0.026, 60_000, 6),
  pair('APT', 9, 1.45, 0.028, 50_000, 6),
  pair('ARB', 1.0, 1.5, 0.028, 60_000, 6),
  pair('OP', 2.2, 1.5, 0.028, 50_000, 6),
  pair('FIL', 5, 1.3, 0.026, 40_000, 7),
  pair('ICP', 10, 1.3, 0.026, 30_000, 8),
  pair('INJ', 25, 1.5, 0.03, 40_000, 8),
  pair('SUI', 1.2, 1.5, 0.032, 60_000, 7),
  pair('AAVE', 100, 1.2, 0.024, 30_000, 7),
  pair('HBAR', 0.08, 1.1, 0.024, 30_000, 8),
  pair('SEI', 0.5, 1.5, 0.034, 30_000, 9),
  pair('TIA', 8, 1.5, 0.034, 30_000, 9),
  pair('RENDER', 7, 1.45, 0.03, 35_000, 8),
];

/**
 * A value on a step (a price on the tick, an amount on the step), as the one double that prints as that
 * decimal: candles and per-second prices round through here, so a minute's high is a price its
 * per-second path quotes exactly.
 */
export function onStep(value: number, step: number): number {
  if (step >= 1) return Math.round(value / step) * step;
  const perUnit = Math.round(1 / step);
  return Math.round(value * perUnit) / perUnit;
}
