/**
 * HTTP overhead of the application: GET /api/health/live of the real app (guard, filters, hooks,
 * metrics, request ids, security headers) against bare Fastify answering the same JSON.
 */
import { startChildServer } from './support/child-server';
import { compare, report } from './support/load';

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
  } finally {
    await Promise.all([bare.stop(), app.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
