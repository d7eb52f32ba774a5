import {
  annualVolatility,
  beta,
  cagr,
  calmarRatio,
  conditionalValueAtRisk,
  correlation,
  dailyCloses,
  drawdownOf,
  expectancy,
  grossOf,
  herfindahl,
  percentile,
  profitFactor,
  sharpeRatio,
  simpleReturns,
  sortinoRatio,
  valueAtRisk,
} from './analytics-math';

/*
 * The expected numbers were computed apart from this code, with NumPy 2.4 following empyrical's
 * definitions (python3, numpy as np; r and m the arrays below):
 *   sharpe  r.mean() / r.std(ddof=1) * sqrt(365)
 *   sortino r.mean() * 365 / (sqrt(mean(minimum(r, 0) ** 2)) * sqrt(365))
 *   vol     r.std(ddof=1) * sqrt(365)
 *   var     np.percentile(r, 5), np.percentile(r, 1)
 *   cvar    i = int((len(r) - 1) * cutoff); mean(np.partition(r, i)[:i + 1])
 *   beta    np.cov(r, m)[0, 1] / np.var(m, ddof=1); corr np.corrcoef(r, m)[0, 1]
 *   values  100 * cumprod([1, *(1 + r)]); drawdown 1 - v / maximum.accumulate(v)
 *   cagr    (v[-1] / v[0]) ** (365 / len(r)) - 1
 *   pf      pn[pn > 0].sum() / -pn[pn < 0].sum(), expectancy pn.mean(), pn = [12.5, -4, 7.25, -6.5, 3]
 */
const r = [0.01, -0.02, 0.03, -0.01, 0.02, 0.005, -0.015];
const m = [0.008, -0.01, 0.02, -0.012, 0.015, 0.001, -0.01];
const DAY = 86_400_000;

describe('analytics formulas', () => {
  it('Sharpe, Sortino and volatility of daily returns, annualised with 365 days', () => {
    expect(sharpeRatio(r)).toBeCloseTo(2.922699873233734, 12);
    expect(sortinoRatio(r)).toBeCloseTo(5.363624978165787, 12);
    expect(annualVolatility(r)).toBeCloseTo(0.35681294285728504, 12);
  });

  it('answers null, never NaN, where the definitions have no value', () => {
    expect(sharpeRatio([0.01])).toBeNull();
    expect(sharpeRatio([0.01, 0.01, 0.01])).toBeNull(); // no variation
    expect(sortinoRatio([0.01, 0.02])).toBeNull(); // no losing day
    expect(annualVolatility([])).toBeNull();
    expect(cagr(0, 100, 10)).toBeNull();
    expect(calmarRatio(0.5, 0)).toBeNull();
    expect(profitFactor(3, 0)).toBeNull();
    expect(expectancy(5, 0)).toBeNull();
    expect(beta([0.01, 0.02], [0.01, 0.01])).toBeNull();
    expect(correlation([0.01], [0.02])).toBeNull();
    expect(valueAtRisk([], 0.05)).toBeNull();
    expect(conditionalValueAtRisk([], 0.05)).toBeNull();
    expect(herfindahl([])).toBeNull();
  });

  it('historical VaR as the return quantile (linear interpolation) and CVaR as the mean at or below it', () => {
    expect(valueAtRisk(r, 0.05)).toBeCloseTo(-0.0185, 12);
    expect(valueAtRisk(r, 0.01)).toBeCloseTo(-0.0197, 12);
    expect(conditionalValueAtRisk(r, 0.05)).toBeCloseTo(-0.02, 12);
    expect(valueAtRisk(r, 0.25)).toBeCloseTo(-0.0125, 12);
    expect(conditionalValueAtRisk(r, 0.25)).toBeCloseTo(-0.0175, 12);
    expect(percentile([3, 1, 2], 0.5)).toBe(2);
  });

  it('beta against the market and correlation', () => {
    expect(beta(r, m)).toBeCloseTo(1.4018889202142653, 12);
    expect(correlation(r, m)).toBeCloseTo(0.9755294462217905, 12);
    expect(correlation(m, m)).toBeCloseTo(1, 12);
  });

  it('max drawdown with its peak, trough and recovery dates, the current drawdown, CAGR and Calmar', () => {
    const values = [100];
    for (const value of r) values.push(values[values.length - 1] * (1 + value));
    const points = values.map((value, day) => ({ time: day * DAY, value }));
    expect(simpleReturns(values).map((value) => Number(value.toFixed(12)))).toEqual(r);
    const drawdown = drawdownOf(points);
    // 101 (day 1) to 98.98 (day 2): −2 %, back over 101 on day 3; now 1.5 % under the 103.46 of day 6.
    expect(drawdown.maxDrawdown).toBeCloseTo(0.02, 12);
    expect(drawdown).toMatchObject({ peakAt: 1 * DAY, troughAt: 2 * DAY, recoveredAt: 3 * DAY });
    expect(drawdown.currentDrawdown).toBeCloseTo(0.015, 12);
    const growth = cagr(values[0], values[values.length - 1], r.length);
    expect(growth).toBeCloseTo(1.6837120998282278, 10);
    expect(calmarRatio(growth, drawdown.maxDrawdown)).toBeCloseTo(84.18560499141178, 8);
    expect(
      drawdownOf([
        { time: 0, value: 1 },
        { time: DAY, value: 0.5 },
      ]).recoveredAt,
    ).toBeNull();
  });

  it('profit factor, concentration, and daily closes of a series', () => {
    const gross = grossOf([12.5, -4, 7.25, -6.5, 3]);
    expect(gross).toEqual({ grossProfit: 22.75, grossLoss: 10.5 });
    expect(profitFactor(gross.grossProfit, gross.grossLoss)).toBeCloseTo(2.1666666666666665, 12);
    expect(expectancy(12.5 - 4 + 7.25 - 6.5 + 3, 5)).toBeCloseTo(2.45, 12);
    expect(herfindahl([500, 300, 200])).toBeCloseTo(0.38, 12);
    const closes = dailyCloses([
      { time: 0, value: 1 },
      { time: DAY - 1, value: 2 },
      { time: DAY, value: 3 },
      { time: 3 * DAY + 5, value: 4 },
    ]);
    expect(closes.map((point) => point.value)).toEqual([2, 3, 4]);
  });
});
