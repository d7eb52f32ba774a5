/** The floor: bare Fastify answering the same JSON as /api/health/live, with no framework on top. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/api/health/live', async () => ({ status: 'ok' }));
// The same shape /api/auth/me answers for a READ_ONLY principal.
app.get('/api/auth/me', async () => ({
  kind: 'user',
  id: '6f1c2a47-3b7e-4c38-9d0f-2f4a9e8b1c5d',
  name: 'bench-reader',
  role: 'READ_ONLY',
  permissions: ['READ_ONLY'],
  sessionId: '0b8e4f7a-91d2-4c65-a3b7-5e2d8c1f9a04',
}));
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
