import { HealthResponseDto } from '../src/monitoring/dto/health-response.dto';
import { startTestApp, TestApp } from './support/test-app';

/** Against the Redis server on 127.0.0.1:6379 (runs with the real-services pass). */
describe('health with the local Redis', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports Redis healthy', async () => {
    const body = (await (await fetch(`${t.baseUrl}/api/health`)).json()) as HealthResponseDto;
    expect(body.services.redis).toBe('healthy');
  });
});
