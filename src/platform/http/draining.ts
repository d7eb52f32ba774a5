import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { buildErrorBody } from './error-body';
import { ErrorCode } from './error-codes';

/** Servers that are stopping: set by `drainHttp` (a signal) or by the server's own close. */
const draining = new WeakSet<FastifyInstance>();

/**
 * Starts a graceful stop's drain at the signal, before the application's modules are torn down: new
 * requests are refused from then on (without it, only once the HTTP server itself closes, after the
 * modules). Requests in flight go on; the HTTP server's close waits for them.
 */
export function drainHttp(app: NestFastifyApplication): void {
  draining.add(app.getHttpAdapter().getInstance());
}

/**
 * While the server drains, a new request gets a 503 in the one error shape (a load balancer or client
 * retries it elsewhere), and every answer says `Connection: close`: a keep-alive client's socket then
 * closes after its last answer instead of holding the stop until the keep-alive timeout.
 */
export function answerWhileDraining(fastify: FastifyInstance): void {
  fastify.addHook('preClose', (done) => {
    draining.add(fastify);
    done();
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!draining.has(fastify)) {
      done();
      return;
    }
    void reply
      .status(503)
      .header('connection', 'close')
      .header('retry-after', '1')
      .type('application/json; charset=utf-8')
      .send(
        buildErrorBody(
          503,
          ErrorCode.SERVICE_UNAVAILABLE,
          'The server is stopping: retry the request',
          String(request.id),
        ),
      );
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (draining.has(fastify)) void reply.header('connection', 'close');
    done(null, payload);
  });
}
