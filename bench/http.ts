/**
 * HTTP overhead of the application against bare Fastify answering the same JSON:
 * - GET /api/health/live: guard, filters, hooks, metrics, request ids, security headers;
 * - GET /api/auth/me as READ_ONLY, by JWT and by API key: the above plus authentication, the
 *   principal's state, and rate limiting.
 */
import { startChildServer } from './support/child-server';
import { compare, report } from './support/load';
import { BENCH_ADMIN, readOnlyCredentials } from './support/principals';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function main(): Promise<void> {
  const bare = await startChildServer('support/bare-fastify-server.ts');
  const app = await startChildServer('support/app-server.ts');
  try {
    const liveness = await compare(
      'http GET /api/health/live (app / bare fastify)',
      { url: `${bare.url}/api/health/live` },
      { url: `${app.url}/api/health/live` },
      ROUNDS,
    );
    report(liveness, 0.6);
    const { token, apiKey } = await readOnlyCredentials(app.url, BENCH_ADMIN);
    const jwt = await compare(
      'http GET /api/auth/me by JWT (app / bare fastify)',
      { url: `${bare.url}/api/auth/me` },
      { url: `${app.url}/api/auth/me`, headers: { authorization: `Bearer ${token}` } },
      ROUNDS,
    );
    report(jwt, 0.5);
    const key = await compare(
      'http GET /api/auth/me by API key (app / bare fastify)',
      { url: `${bare.url}/api/auth/me` },
      { url: `${app.url}/api/auth/me`, headers: { 'x-api-key': apiKey } },
      ROUNDS,
    );
    report(key, 0.5);
  } finally {
    await Promise.all([bare.stop(), app.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
