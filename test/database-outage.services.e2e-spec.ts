import { waitForStatus } from './support/server-process';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-database';

/**
 * PostgreSQL going away while the app runs: health answers 503 and the process lives; once the
 * server is back, health answers 200 again without a restart. Runs only with DATABASE_URL.
 */
describe('PostgreSQL outage', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  const uncaught: unknown[] = [];
  const recordUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', recordUncaught);
    process.on('unhandledRejection', recordUncaught);
    const database = await createTestDatabase();
    const target = new URL(database.databaseUrl!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    const viaProxy = new URL(database.databaseUrl!);
    viaProxy.host = `127.0.0.1:${port}`;
    t = await startTestApp({ DATABASE_URL: viaProxy.toString() });
    const close = t.close;
    t.close = async () => {
      await close();
      await database.drop();
    };
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
    process.off('uncaughtException', recordUncaught);
    process.off('unhandledRejection', recordUncaught);
  });

  it('reports 503 while the database is unreachable and 200 once it is back', async () => {
    await waitForStatus(`${t.baseUrl}/api/health`, 200, 5000);

    await proxy.cut();
    const down = await fetch(`${t.baseUrl}/api/health`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { status: string; services: { database: string } };
    expect(body.status).toBe('unhealthy');
    expect(body.services.database).toBe('unhealthy');
    expect((await fetch(`${t.baseUrl}/api/health/ready`)).status).toBe(503);
    expect((await fetch(`${t.baseUrl}/api/health/live`)).status).toBe(200);

    await proxy.restore();
    await waitForStatus(`${t.baseUrl}/api/health`, 200, 10_000);
    expect(uncaught).toEqual([]);
  });
});
