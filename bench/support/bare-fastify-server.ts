/** The floor: bare Fastify answering the same JSON as /api/health/live, with no framework on top. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/api/health/live', async () => ({ status: 'ok' }));
app.listen({ port: 0, host: '127.0.0.1' }).then(
  () => {
    const address = app.server.address();
    if (address && typeof address === 'object') console.log(`LISTENING http://127.0.0.1:${address.port}`);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
