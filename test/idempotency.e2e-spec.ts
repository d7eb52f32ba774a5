import { DataSource } from 'typeorm';
import { Role } from '../src/platform/access/role';
import { IDEMPOTENCY_TTL_MS, IdempotencyService } from '../src/platform/idempotency/idempotency.service';
import { call, createKey, loginAdmin } from './support/auth-client';
import { ManualClock } from './support/manual-clock';
import { startTestApp, TestApp } from './support/test-app';

/** An Idempotency-Key answers the same for a day, then is forgotten. */
describe('idempotency keys expire', () => {
  const clock = new ManualClock(Date.now());
  let t: TestApp;
  let trader: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_CONTROL: '100000' }, { clock });
    const admin = (await loginAdmin(t)).accessToken;
    // A key, not a session: a simulated day passes here.
    trader = (await createKey(t, admin, { name: 'trader', permissions: [Role.CONTROL] })).apiKey;
  });
  afterAll(async () => {
    await t?.close();
  });

  const keys = async () =>
    Number(
      (
        await t.app.get(DataSource).query<Array<{ n: string }>>('SELECT count(*) AS n FROM idempotency_keys')
      )[0].n,
    );

  it('replays within a day, forgets after it, and the periodic expiry deletes the old keys', async () => {
    const order = (amount: number) =>
      call<{ id: string }>(t, 'POST', '/api/orders', {
        token: trader,
        headers: { 'idempotency-key': 'expiring-key-1' },
        body: { symbol: 'BTC/USDT', side: 'buy', type: 'market', amount },
      });
    const first = await order(0.001);
    expect(first.status).toBe(201);
    const replay = await order(0.001);
    expect([replay.status, replay.headers.get('idempotent-replayed'), replay.body.id]).toEqual([
      201,
      'true',
      first.body.id,
    ]);
    expect((await order(0.002)).status).toBe(409);
    expect(await keys()).toBe(1);

    clock.ms += IDEMPOTENCY_TTL_MS - 1000;
    expect(await t.app.get(IdempotencyService).deleteExpired()).toBe(0);
    clock.ms += 2000;
    expect(await t.app.get(IdempotencyService).deleteExpired()).toBe(1);
    expect(await keys()).toBe(0);
    const fresh = await order(0.002);
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(first.body.id);
  });
});
