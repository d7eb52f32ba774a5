import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { buildErrorBody } from './error-body';
import { ErrorCode } from './error-codes';
import { FORBIDDEN_JSON_KEY, mapError } from './error-mapping';

/** Methods that carry no body: an empty one with `Content-Type: application/json` is accepted. */
const BODILESS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS']);

/**
 * Errors Fastify answers before any route runs (a malformed URL, a path parameter over the length
 * limit), in the one error shape with the request id.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const mapped = mapError(error);
  void reply
    .status(mapped.status)
    .header('x-request-id', request.id)
    .type('application/json; charset=utf-8')
    .send(buildErrorBody(mapped.status, mapped.code, mapped.message, String(request.id)));
}

/**
 * Errors of the connection itself, before a request exists (headers over the size limit, a request
 * that timed out, bytes that are not HTTP): answered in the one error shape, then the socket closes.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, ErrorCode.HEADERS_TOO_LARGE, 'The request headers (URL included) are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, ErrorCode.MALFORMED_REQUEST, 'The request did not arrive in time']
        : [400, ErrorCode.MALFORMED_REQUEST, 'The request is not valid HTTP'];
  const requestId = randomUUID();
  const body = JSON.stringify(buildErrorBody(status, code, message, requestId));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Connection: close\r\nContent-Type: application/json; charset=utf-8\r\nX-Request-Id: ${requestId}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function isPlainJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/**
 * The API reads JSON only: no text/plain parser (such a body is a 415, not a string the validation
 * then misreads), an empty JSON body is accepted on bodiless methods (clients send the header on
 * DELETE), and a prototype-poisoning key gets its own message instead of "not valid JSON".
 */
export function useJsonBodies(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
    if (body.length === 0 && BODILESS.has(request.method)) {
      done(null, undefined);
      return;
    }
    void parseJson(request as Parameters<typeof parseJson>[0], body as unknown as string, (error, parsed) => {
      // Fastify says only "invalid JSON": valid JSON refused here has a poisoning key.
      if ((error as FastifyError | null)?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' && isPlainJson(body)) {
        done(
          Object.assign(new Error('forbidden key'), { code: FORBIDDEN_JSON_KEY, statusCode: 400 }),
          undefined,
        );
        return;
      }
      done(error, parsed);
    });
  });
}
