import { DataSource } from 'typeorm';
import { EngineService } from '../src/engine/engine.service';
import { CandleRepository } from '../src/market/candle.repository';
import { MlModel } from '../src/ml/ml-model.entity';
import { MarketSimulationService, SIMULATED_EXCHANGE } from '../src/market/market-simulation.service';
import { aggregateCandles } from '../src/market/timeframes';
import { MlPredictor } from '../src/ml/ml-predictor.service';
import { MlTraining } from '../src/ml/ml-training.service';
import { ML_CLASSES, tripleBarrierLabel } from '../src/ml/triple-barrier';
import { Role } from '../src/platform/access/role';
import { FINISHED_JOB_STATES, JobQueue } from '../src/platform/jobs/job-queue';
import { call, createKey, loginAdmin } from './support/auth-client';
import { finishedBacktest } from './support/backtests';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';

const QUARTER = 900_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 20);
/** Days of 15m candles stored before T0; the models learn from the first TRAIN_DAYS. */
const HISTORY_DAYS = 24;
const TRAIN_DAYS = 18;
const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'ADA/USDT'];

interface Job {
  state: string;
  progress: number;
  result: { modelId: string; version: number; status: string; reason: string; samples: number } | null;
  error: string | null;
}
interface Model {
  id: string;
  type: string;
  version: number;
  status: string;
  statusReason: string;
  features: string[];
  symbols: string[];
  trainingFrom: string;
  trainingTo: string;
  trainingSamples: number;
  labelSettings: { kUp: number; kDown: number; horizon: number };
  metrics: {
    samples: number;
    accuracy: number;
    baselineAccuracy: number;
    lift: number;
    macroF1: number;
    logLoss: number;
    confusionMatrix: number[][];
    folds: Array<{ testFrom: string; testTo: string; trainSamples: number; testSamples: number }>;
  };
}
interface Prediction {
  id: string;
  symbol: string;
  modelId: string;
  prediction: string;
  confidence: number;
  probabilities: Record<string, number>;
  features: Record<string, number>;
  featuresHash: string;
  candleTime: string;
  resolvesAt: string;
  realized: string | null;
  correct: boolean | null;
}

const clock = new ManualClock(T0);
let t: TestApp;
let root: string;
let admin: string;
let reader: string;

/** Stores the simulated market's 15m and 1h candles (the scanner reads hours) of SYMBOLS over [from, to). */
async function storeQuarters(from: number, to: number): Promise<void> {
  const simulation = t.app.get(MarketSimulationService);
  const rows = SYMBOLS.flatMap((symbol) => {
    const minutes = simulation.market.candles(
      simulation.pairs.findIndex((pair) => pair.symbol === symbol),
      from,
      to,
    );
    return [
      ...aggregateCandles(minutes, 60_000, QUARTER).map((candle) => ({
        ...candle,
        symbol,
        timeframe: '15m' as const,
      })),
      ...aggregateCandles(minutes, 60_000, 4 * QUARTER).map((candle) => ({
        ...candle,
        symbol,
        timeframe: '1h' as const,
      })),
    ];
  });
  await t.app.get(CandleRepository).insertMany(SIMULATED_EXCHANGE, rows);
}

/**
 * Waits for a job through the job queue itself: the clock is frozen, so every HTTP poll of the file would
 * count in one rate-limit window, and a slow machine polls more (GET /api/jobs is tested on its own).
 */
async function finishedJob(id: string): Promise<Job> {
  for (;;) {
    const job = await t.app.get(JobQueue).get(id);
    if (!job) throw new Error(`no job ${id}`);
    if (FINISHED_JOB_STATES.includes(job.state)) return job as unknown as Job;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function retrain(body: Record<string, unknown>): Promise<Job> {
  const accepted = await call<{ jobId: string; status: string; estimatedDuration: number }>(
    t,
    'POST',
    '/api/ml/retrain',
    { apiKey: admin, body },
  );
  expect(accepted.status).toBe(202);
  return finishedJob(accepted.body.jobId);
}

beforeAll(async () => {
  t = await startTestApp(
    {
      MARKET_LIVE_CANDLES: 'false',
      RATE_LIMIT_READ_ONLY: '100000',
      RATE_LIMIT_ADMIN: '100000',
      RATE_LIMIT_CONTROL: '100000',
    },
    { clock },
  );
  root = (await loginAdmin(t)).accessToken;
  // The tests poll jobs and backtests: a key's own limit (per minute) must not cut them short on a slow machine.
  admin = (await createKey(t, root, { name: 'ml admin', permissions: [Role.ADMIN], rateLimit: 1_000_000 }))
    .apiKey;
  reader = (
    await createKey(t, root, { name: 'ml reader', permissions: [Role.READ_ONLY], rateLimit: 1_000_000 })
  ).apiKey;
  await storeQuarters(T0 - HISTORY_DAYS * DAY, T0);
});

afterAll(async () => {
  await t?.close();
});

describe('ML models, predictions and ML presets', () => {
  let first: Model;

  beforeAll(async () => {
    const job = await retrain({
      modelType: 'logistic',
      symbols: SYMBOLS,
      from: new Date(T0 - HISTORY_DAYS * DAY).toISOString(),
      to: new Date(T0 - (HISTORY_DAYS - TRAIN_DAYS) * DAY).toISOString(),
    });
    expect(job).toMatchObject({ state: 'completed', progress: 100, error: null });
    first = (await call<Model>(t, 'GET', `/api/ml/models/${job.result!.modelId}`, { apiKey: reader })).body;
  });

  it('retrains as a job: a versioned model with its window, features and walk-forward metrics, active as the first', async () => {
    expect(first).toMatchObject({ type: 'logistic', version: 1, status: 'active', symbols: SYMBOLS });
    expect(first.statusReason).toContain('no logistic model was active');
    expect(first.features).toHaveLength(20);
    expect(first.labelSettings).toEqual({ kUp: 2, kDown: 2, horizon: 16 });
    // Every sample's label was known by the end of the window asked for.
    expect(Date.parse(first.trainingTo)).toBeLessThanOrEqual(T0 - (HISTORY_DAYS - TRAIN_DAYS) * DAY);
    // Walk-forward: four test windows, each after its training data; the confusion matrix counts every test sample.
    const { metrics } = first;
    expect(metrics.folds).toHaveLength(4);
    for (const fold of metrics.folds) expect(fold.trainSamples).toBeGreaterThan(0);
    const counted = metrics.confusionMatrix.flat().reduce((sum, value) => sum + value, 0);
    expect(counted).toBe(metrics.samples);
    expect(metrics.samples).toBe(metrics.folds.reduce((sum, fold) => sum + fold.testSamples, 0));
    expect(metrics.lift).toBeCloseTo(metrics.accuracy - metrics.baselineAccuracy, 10);
    expect(metrics.accuracy).toBeGreaterThan(0);
    expect(metrics.accuracy).toBeLessThan(1);
    expect(Number.isFinite(metrics.logLoss)).toBe(true);

    const listed = await call<{ items: Model[]; total: number }>(t, 'GET', '/api/ml/models?type=logistic', {
      apiKey: reader,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((model) => model.id)).toContain(first.id);
    const performance = await call<{ models: Array<Record<string, unknown>> }>(
      t,
      'GET',
      '/api/ml/performance',
      {
        apiKey: reader,
      },
    );
    expect(performance.body.models[0]).toMatchObject({
      id: first.id,
      name: 'logistic v1',
      accuracy: metrics.accuracy,
      baselineAccuracy: metrics.baselineAccuracy,
      lift: metrics.lift,
      trainingSamples: first.trainingSamples,
      live: { resolved: 0, accuracy: null, gapToTest: null },
    });
  });

  it('refuses a retrain within ml.minRetrainMinutes without force, bad input, and callers below ADMIN', async () => {
    const again = await call<{ error: string; message: string }>(t, 'POST', '/api/ml/retrain', {
      apiKey: admin,
      body: { modelType: 'logistic' },
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('minRetrainMinutes');
    for (const body of [
      { modelType: 'svm' },
      { modelType: 'mlp', symbols: ['NOPE/USDT'] },
      { modelType: 'mlp', labels: { horizon: 0 } },
      { modelType: 'mlp', from: '2000-01-01T00:00:00Z' },
    ]) {
      const bad = await call(t, 'POST', '/api/ml/retrain', { apiKey: admin, body });
      expect(bad.status).toBe(400);
    }
    expect(
      (await call(t, 'POST', '/api/ml/retrain', { apiKey: reader, body: { modelType: 'mlp' } })).status,
    ).toBe(403);
    expect((await call(t, 'GET', `/api/ml/models/${crypto.randomUUID()}`, { apiKey: reader })).status).toBe(
      404,
    );
  });

  it('predicts every symbol at a close, publishes PREDICTION on `ml`, and resolves with the realised label', async () => {
    expect(
      (await call(t, 'PUT', '/api/config', { apiKey: admin, body: { ml: { enabled: true } } })).status,
    ).toBe(200);
    const socket = await TestSocket.open(`${wsUrl(t.baseUrl)}?token=${reader}`);
    try {
      socket.send({ type: 'subscribe', topics: ['ml'] });
      await socket.next((message) => message.type === 'subscribed');
      const predictor = t.app.get(MlPredictor);
      expect(await predictor.pass()).toBe(SYMBOLS.length);
      // The same close again: nothing new.
      expect(await predictor.pass()).toBe(0);
      const published = await socket.next(
        (message) => message.type === 'PREDICTION' && message.data.symbol === 'ETH/USDT',
      );
      const listed = await call<{ predictions: Prediction[]; count: number }>(
        t,
        'GET',
        '/api/ml/predictions?symbol=ETH/USDT&modelType=logistic',
        { apiKey: reader },
      );
      expect(listed.body.count).toBe(1);
      const [prediction] = listed.body.predictions;
      expect(published.data).toMatchObject({
        id: prediction.id,
        prediction: prediction.prediction,
        modelVersion: 1,
      });
      expect(prediction).toMatchObject({
        modelId: first.id,
        candleTime: new Date(T0 - QUARTER).toISOString(),
        realized: null,
      });
      const probabilities = Object.values(prediction.probabilities);
      expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 9);
      expect(prediction.confidence).toBeCloseTo(Math.max(...probabilities), 12);
      expect(prediction.probabilities[prediction.prediction]).toBeCloseTo(prediction.confidence, 12);
      expect(Object.keys(prediction.features).sort()).toEqual([...first.features].sort());
      expect(prediction.featuresHash).toMatch(/^[0-9a-f]{16}$/);
      // The vertical barrier (16 candles) passes: the candles come, the label is what they did.
      await storeQuarters(T0, T0 + 17 * QUARTER);
      clock.ms = T0 + 17 * QUARTER;
      await predictor.resolveDue();
      const resolved = await call<{ predictions: Prediction[] }>(
        t,
        'GET',
        '/api/ml/predictions?symbol=ETH/USDT&resolved=true',
        { apiKey: reader },
      );
      expect(resolved.body.predictions).toHaveLength(1);
      const [outcome] = resolved.body.predictions;
      expect(['down', 'flat', 'up']).toContain(outcome.realized);
      expect(outcome.correct).toBe(outcome.realized === outcome.prediction);
      // Each resolution is the triple barrier from the close it predicted at, over the candles that followed.
      const stored = await t.app.get(DataSource).query<
        Array<{
          symbol: string;
          realized: string;
          entry_price: number;
          atr: number;
          barrier: { kUp: number; kDown: number; horizon: number };
        }>
      >(`SELECT symbol, realized, entry_price, atr, barrier FROM ml_predictions WHERE candle_time = $1`, [new Date(T0 - QUARTER)]);
      expect(stored).toHaveLength(SYMBOLS.length);
      for (const row of stored) {
        const candles =
          (
            await t.app
              .get(CandleRepository)
              .rangeMany(SIMULATED_EXCHANGE, [row.symbol], '15m', T0 - QUARTER, T0 + 15 * QUARTER)
          ).get(row.symbol) ?? [];
        expect(candles).toHaveLength(17);
        const label = tripleBarrierLabel(
          [{ ...candles[0], close: row.entry_price }, ...candles.slice(1)],
          0,
          row.atr,
          row.barrier,
        );
        expect(row.realized).toBe(ML_CLASSES[label!]);
      }
      const performance = await call<{
        models: Array<{ id: string; live: { resolved: number; accuracy: number } }>;
      }>(t, 'GET', '/api/ml/performance', { apiKey: reader });
      const live = performance.body.models.find((model) => model.id === first.id)!.live;
      expect(live.resolved).toBe(SYMBOLS.length);
    } finally {
      socket.close();
      clock.ms = T0;
    }
  });

  it('activates another version and rolls back: one active model per type and timeframe', async () => {
    const job = await retrain({
      modelType: 'logistic',
      force: true,
      symbols: SYMBOLS,
      from: new Date(T0 - HISTORY_DAYS * DAY).toISOString(),
      to: new Date(T0 - (HISTORY_DAYS - TRAIN_DAYS) * DAY).toISOString(),
    });
    expect(job.result).toMatchObject({ version: 2 });
    // The same data and seeds train the same model: its macro F1 does not beat v1's, so it waits as a candidate.
    expect(job.result!.status).toBe('candidate');
    expect(job.result!.reason).toContain('does not beat the active v1');
    const second = job.result!.modelId;
    expect((await call(t, 'POST', `/api/ml/models/${second}/activate`, { apiKey: reader })).status).toBe(403);
    const activated = await call<Model>(t, 'POST', `/api/ml/models/${second}/activate`, { apiKey: admin });
    expect(activated.status).toBe(200);
    expect(activated.body.status).toBe('active');
    const statuses = async () =>
      (
        await call<{ items: Model[] }>(t, 'GET', '/api/ml/models?type=logistic', { apiKey: reader })
      ).body.items.map((model) => [model.version, model.status]);
    expect(await statuses()).toEqual([
      [2, 'active'],
      [1, 'retired'],
    ]);
    expect((await call(t, 'POST', `/api/ml/models/${second}/activate`, { apiKey: admin })).status).toBe(409);
    // The rollback.
    expect((await call(t, 'POST', `/api/ml/models/${first.id}/activate`, { apiKey: admin })).status).toBe(
      200,
    );
    expect(await statuses()).toEqual([
      [2, 'retired'],
      [1, 'active'],
    ]);
  });

  it('backtests an ML-filtered preset only where a model trained before exists, beside the same preset unfiltered', async () => {
    const base = {
      strategy: { name: 'ema_cross' },
      timeframe: '15m',
      scannerConfig: { universe: SYMBOLS },
    };
    for (const [name, ml] of [
      ['ml_filtered', { modelType: 'logistic', minConfidence: 0.4, mode: 'filter' }],
      ['ml_unfiltered', null],
    ] as const) {
      const created = await call(t, 'POST', '/api/presets', { apiKey: admin, body: { name, ...base, ml } });
      expect(created.status).toBe(201);
    }
    const preset = await call<{ config: { ml: unknown } }>(t, 'GET', '/api/presets/ml_filtered', {
      apiKey: reader,
    });
    expect(preset.body.config.ml).toEqual({ modelType: 'logistic', minConfidence: 0.4, mode: 'filter' });
    const backtest = (name: string, from: number) =>
      call<{ id: string; message?: string }>(t, 'POST', '/api/backtests', {
        apiKey: admin,
        body: {
          preset: name,
          symbols: SYMBOLS,
          from: new Date(from).toISOString(),
          to: new Date(T0).toISOString(),
        },
      });
    // A replay starting inside the model's own training window would use its future.
    const refused = await backtest('ml_filtered', T0 - 10 * DAY);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('needs one trained on data before that');
    const from = Date.parse(first.trainingTo) + DAY;
    const results: Record<string, { status: string; error: string | null; metrics: { trades: number } }> = {};
    for (const name of ['ml_filtered', 'ml_unfiltered']) {
      const accepted = await backtest(name, from);
      expect(accepted.status).toBe(202);
      results[name] = await finishedBacktest(t, accepted.body.id, root);
      expect(results[name]).toMatchObject({ status: 'completed', error: null });
    }
    expect(results.ml_unfiltered.metrics.trades).toBeGreaterThan(0);
    // The filter only ever removes entries.
    expect(results.ml_filtered.metrics.trades).toBeLessThanOrEqual(results.ml_unfiltered.metrics.trades);
  });

  it('a bot of an ML signal preset enters on the model’s up and its trades record the confidence and the model', async () => {
    // A model that says up with probability 4/6 whatever it sees (one softmax layer, biases 0, 0, ln 4).
    const width = first.features.length;
    await t.app
      .get(DataSource)
      .getRepository(MlModel)
      .insert({
        id: crypto.randomUUID(),
        type: 'mlp',
        version: 99,
        timeframe: '15m',
        symbols: SYMBOLS,
        features: first.features,
        labelSettings: { kUp: 3, kDown: 1.5, horizon: 16 },
        hyperParameters: { epochs: 1, batchSize: 1, learningRate: 0.1, hidden: [], seed: 1, folds: 4 },
        trainingFrom: new Date(T0 - 40 * DAY),
        trainingTo: new Date(T0 - 30 * DAY),
        metrics: { ...first.metrics, classes: {}, beatsBaseline: false } as never,
        trainingSamples: 1,
        parameters: {
          mean: new Array<number>(width).fill(0),
          std: new Array<number>(width).fill(1),
          layers: [
            {
              inputs: width,
              outputs: 3,
              weights: new Array<number>(width * 3).fill(0),
              bias: [0, 0, Math.log(4)],
              activation: 'softmax',
            },
          ],
        },
        status: 'active',
        statusReason: 'made by the test',
        trainedBy: 'test',
        trainedAt: new Date(T0 - 30 * DAY),
        trainingMs: 1,
        jobId: null,
        activatedAt: new Date(T0 - 30 * DAY),
      });
    const preset = await call(t, 'POST', '/api/presets', {
      apiKey: admin,
      body: {
        name: 'ml_signal_bot',
        strategy: { name: 'ema_cross' },
        timeframe: '15m',
        scannerConfig: { universe: SYMBOLS },
        ml: { modelType: 'mlp', minConfidence: 0.5, mode: 'signal' },
      },
    });
    expect(preset.status).toBe(201);
    await storeQuarters(T0, T0 + 2 * QUARTER);
    const bot = await call<{ id: string }>(t, 'POST', '/api/bots', {
      token: root,
      body: { name: 'ml-bot', preset: 'ml_signal_bot', mode: 'paper', start: true },
    });
    expect(bot.status).toBe(201);
    try {
      const engine = t.app.get(EngineService);
      await engine.tick();
      // The candle from T0 closes and is stored: the bot scans, asks the model and enters.
      clock.ms = T0 + QUARTER + 60_000;
      await engine.tick();
      const history = await call<{
        items: Array<{
          symbol: string;
          mlConfidence: number | null;
          mlModel: string | null;
          botId: string | null;
        }>;
      }>(t, 'GET', '/api/trades/history?limit=100', { apiKey: reader });
      const ofBot = history.body.items.filter((trade) => trade.botId === bot.body.id);
      expect(ofBot.length).toBeGreaterThan(0);
      for (const trade of ofBot) {
        expect(trade.mlConfidence).toBeCloseTo(4 / 6, 9);
        expect(trade.mlModel).toBe('mlp v99');
      }
    } finally {
      await call(t, 'POST', `/api/bots/${bot.body.id}/command`, { token: root, body: { command: 'stop' } });
      clock.ms = T0;
    }
  });

  it('the hourly check retrains, with ML on, the types whose newest model is older than ml.retrainEveryHours', async () => {
    const training = t.app.get(MlTraining);
    const setMl = (ml: Record<string, unknown>) =>
      call(t, 'PUT', '/api/config', { apiKey: admin, body: { ml } });
    expect((await setMl({ enabled: false })).status).toBe(200);
    expect(await training.retrainDue()).toEqual([]);
    expect((await setMl({ enabled: true, retrainEveryHours: 24 })).status).toBe(200);
    // logistic v1 was trained now (the clock's T0); no mlp model was trained within a day.
    expect(await training.retrainDue()).toEqual(['mlp']);
    const jobs = await call<{
      items: Array<{ id: string; data: { modelType: string; requestedBy: string } }>;
    }>(t, 'GET', '/api/jobs?queue=ml.retrain', { apiKey: admin });
    const scheduled = jobs.body.items.find(
      (job) => job.data.modelType === 'mlp' && job.data.requestedBy === 'schedule',
    );
    expect(scheduled).toBeDefined();
    const done = await finishedJob(scheduled!.id);
    expect(done.state).toBe('completed');
    expect(await training.retrainDue()).toEqual([]);
  });
});
