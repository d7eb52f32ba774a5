import { EventBus } from '../src/platform/events/event-bus';
import { RuntimeSettings } from '../src/platform/settings/runtime-settings';
import { call, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** Two instances on one PostgreSQL: a settings change made through one is in force in the other at once. */
describe('runtime settings across instances (PostgreSQL LISTEN/NOTIFY)', () => {
  let database: TestDatabase;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    for (let i = 0; i < 2; i++) apps.push(await startTestApp({ RATE_LIMIT_ADMIN: '100000' }, { database }));
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await database?.drop();
  });

  it('puts each change made through one instance in force in the other within 1.5 s (its poll is every 5 s)', async () => {
    const [writer, reader] = apps;
    const admin = (await loginAdmin(writer)).accessToken;
    const settings = reader.app.get(RuntimeSettings);
    for (const maxAttempts of [7, 8, 9]) {
      const heard = new Promise<number>((resolve) => {
        const off = reader.app.get(EventBus).on('settings.changed', ({ changes }) => {
          if (changes.some((change) => change.path === 'dca.maxAttempts' && change.to === maxAttempts)) {
            off();
            resolve(Date.now());
          }
        });
      });
      const put = await call<{ version: number }>(writer, 'PUT', '/api/config', {
        token: admin,
        body: { dca: { maxAttempts } },
      });
      expect(put.status).toBe(200);
      const answeredAt = Date.now();
      const heardAt = await Promise.race([
        heard,
        new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 5000)),
      ]);
      // In force there within 1.5 s of the answer here (the contract says 2 s; the poll alone takes up to 5).
      expect(heardAt - answeredAt).toBeLessThan(1500);
      expect(settings.version).toBe(put.body.version);
      expect(settings.section('dca').maxAttempts).toBe(maxAttempts);
    }
  });
});
