import { DataSource } from 'typeorm';
import { Role } from '../src/platform/access/role';
import { BUILTIN_PRESETS } from '../src/presets/builtin-presets';
import { call, createUser, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';

interface PresetDetail {
  name: string;
  builtin: boolean;
  config: {
    description: string;
    strategyType: string;
    strategy: { name: string; parameters: Record<string, number> };
    timeframe: string;
    risk: Record<string, number | null>;
    scannerConfig: {
      universe: string[] | null;
      filters: Record<string, number>;
      scoreWeights: Record<string, number>;
      maxCandidates: number;
    };
  };
}
interface ErrorBody {
  error: string;
  message: string;
}

describe('presets (GET/POST/PUT/DELETE /api/presets)', () => {
  let t: TestApp;
  let admin: string;
  let trader: string;

  const storedConfig = async (name: string) =>
    (
      await t.app
        .get(DataSource)
        .query<Array<{ config: unknown }>>('SELECT config FROM presets WHERE name = $1', [name])
    )[0]?.config;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ADMIN: '100000' });
    admin = (await loginAdmin(t)).accessToken;
    trader = (await createUser(t, admin, Role.CONTROL)).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ships breakout_v1 as seed 002 shows it and one built-in per other strategy, as the code defines them', async () => {
    const list = await call<{ items: Array<Record<string, unknown>>; total: number }>(
      t,
      'GET',
      '/api/presets',
      {
        token: trader,
      },
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((item) => item.name).sort()).toEqual([
      'breakout_v1',
      'dca_conservative_v1',
      'ema_cross_v1',
      'fibonacci_retracement_v1',
      'rsi_mean_reversion_v1',
    ]);
    expect(list.body.items.find((item) => item.name === 'breakout_v1')).toMatchObject({
      description: 'Liquid markets momentum breakout strategy',
      riskPerTrade: 0.006,
      maxPositions: 3,
      strategyType: 'momentum',
      strategy: 'breakout',
      builtin: true,
      kind: 'strategy',
    });
    // One DCA preset: 3Commas-style deals (its strategy only counts for a signal start condition).
    expect(list.body.items.filter((item) => item.kind === 'dca').map((item) => item.name)).toEqual([
      'dca_conservative_v1',
    ]);
    const strategies = new Set(list.body.items.map((item) => item.strategy));
    expect(strategies).toEqual(
      new Set(['breakout', 'ema_cross', 'rsi_mean_reversion', 'fibonacci_retracement']),
    );

    const detail = await call<PresetDetail>(t, 'GET', '/api/presets/breakout_v1', { token: trader });
    expect(detail.status).toBe(200);
    expect(detail.body.config).toMatchObject({
      description: 'Liquid markets momentum breakout strategy',
      risk: { riskPerTrade: 0.006, maxConcurrentPositions: 3 },
      scannerConfig: { scoreWeights: { volSurge: 0.35, oiDelta: 0.2 } },
      strategy: { name: 'breakout' },
    });
    // The migration's rows equal the code's built-ins.
    for (const [name, config] of Object.entries(BUILTIN_PRESETS))
      expect(await storedConfig(name)).toEqual(config);
  });

  it('updates a built-in by merging the change, and refuses to delete it', async () => {
    const before = await storedConfig('ema_cross_v1');
    const put = await call<{ success: boolean; message: string; timestamp: string }>(
      t,
      'PUT',
      '/api/presets/ema_cross_v1',
      {
        token: admin,
        body: {
          description: 'Slower crosses',
          risk: { riskPerTrade: 0.007 },
          strategy: { parameters: { fast: 9 } },
        },
      },
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ success: true, message: 'Preset updated successfully' });
    expect(Date.parse(put.body.timestamp)).not.toBeNaN();
    const after = await call<PresetDetail>(t, 'GET', '/api/presets/ema_cross_v1', { token: trader });
    expect(after.body.config.description).toBe('Slower crosses');
    expect(after.body.config.risk.riskPerTrade).toBe(0.007);
    expect(after.body.config.risk.maxConcurrentPositions).toBe(
      BUILTIN_PRESETS.ema_cross_v1.risk.maxConcurrentPositions,
    );
    expect(after.body.config.strategy.parameters).toEqual({
      ...BUILTIN_PRESETS.ema_cross_v1.strategy.parameters,
      fast: 9,
    });
    expect(before).not.toEqual(await storedConfig('ema_cross_v1'));

    const del = await call<ErrorBody>(t, 'DELETE', '/api/presets/ema_cross_v1', { token: admin });
    expect(del.status).toBe(409);
    expect(del.body.error).toBe('CONFLICT');
    expect(await storedConfig('ema_cross_v1')).toBeDefined();
  });

  it('refuses a weight outside 0..1, an unknown weight and an unknown strategy parameter, naming the field, and changes nothing', async () => {
    const before = await storedConfig('breakout_v1');
    const cases: Array<[unknown, string]> = [
      [{ scannerConfig: { scoreWeights: { volSurge: 1.5 } } }, 'scannerConfig.scoreWeights.volSurge'],
      [{ scannerConfig: { scoreWeights: { volSurge: -0.1 } } }, 'scannerConfig.scoreWeights.volSurge'],
      [{ scannerConfig: { scoreWeights: { sentiment: 0.5 } } }, 'sentiment'],
      [{ strategy: { parameters: { lookbak: 30 } } }, 'strategy.parameters.lookbak'],
      [{ strategy: { parameters: { lookback: 2 } } }, 'strategy.parameters.lookback'],
      [{ strategy: { name: 'martingale' } }, 'strategy.name'],
      [{ risk: { riskPerTrade: 0.5 } }, 'risk.riskPerTrade'],
      [
        { scannerConfig: { filters: { minAtrPct: 0.1, maxAtrPct: 0.01 } } },
        'scannerConfig.filters.minAtrPct',
      ],
      [{ scannerConfig: { universe: ['not a symbol!'] } }, 'scannerConfig.universe.0'],
      [{ timeframe: '7m' }, 'timeframe'],
    ];
    for (const [body, field] of cases) {
      const response = await call<ErrorBody>(t, 'PUT', '/api/presets/breakout_v1', { token: admin, body });
      expect({ body, status: response.status, error: response.body.error }).toEqual({
        body,
        status: 400,
        error: 'VALIDATION_ERROR',
      });
      expect(response.body.message).toContain(field);
    }
    expect(await storedConfig('breakout_v1')).toEqual(before);
  });

  it('creates a preset from a strategy with the rest from its built-in, deletes it, and refuses a taken name', async () => {
    const created = await call<PresetDetail>(t, 'POST', '/api/presets', {
      token: admin,
      body: {
        name: 'rsi_tight',
        strategy: { name: 'rsi_mean_reversion', parameters: { oversold: 25 } },
        scannerConfig: { universe: ['btc-usdt', 'ETHUSDT'], maxCandidates: 2 },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'rsi_tight', builtin: false });
    expect(created.body.config.strategy).toEqual({
      name: 'rsi_mean_reversion',
      parameters: { ...BUILTIN_PRESETS.rsi_mean_reversion_v1.strategy.parameters, oversold: 25 },
    });
    expect(created.body.config.risk).toEqual(BUILTIN_PRESETS.rsi_mean_reversion_v1.risk);
    expect(created.body.config.scannerConfig.universe).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(created.body.config.scannerConfig.maxCandidates).toBe(2);

    const again = await call<ErrorBody>(t, 'POST', '/api/presets', {
      token: admin,
      body: { name: 'rsi_tight', strategy: { name: 'breakout' } },
    });
    expect(again.status).toBe(409);

    const badName = await call<ErrorBody>(t, 'POST', '/api/presets', {
      token: admin,
      body: { name: 'Bad Name', strategy: { name: 'breakout' } },
    });
    expect(badName.status).toBe(400);
    expect(badName.body.message).toContain('name');

    const forbidden = await call<ErrorBody>(t, 'DELETE', '/api/presets/rsi_tight', { token: trader });
    expect(forbidden.status).toBe(403);
    expect((await call(t, 'DELETE', '/api/presets/rsi_tight', { token: admin })).status).toBe(200);
    expect((await call(t, 'GET', '/api/presets/rsi_tight', { token: admin })).status).toBe(404);
  });
});
