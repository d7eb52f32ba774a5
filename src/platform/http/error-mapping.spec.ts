import {
  BadRequestException,
  HttpException,
  InternalServerErrorException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ApiError } from './api-error';
import { ErrorCode } from './error-codes';
import { mapError } from './error-mapping';

describe('mapError', () => {
  it('keeps an ApiError as it is, with its extra fields and headers', () => {
    const error = new ApiError(
      429,
      ErrorCode.RATE_LIMITED,
      'slow down',
      undefined,
      { retryAfter: 7 },
      { 'Retry-After': '7' },
    );
    expect(mapError(error)).toEqual({
      status: 429,
      code: 'RATE_LIMITED',
      message: 'slow down',
      details: undefined,
      extra: { retryAfter: 7 },
      headers: { 'Retry-After': '7' },
      internal: false,
    });
  });

  it('hides the message of anything that is not a client error', () => {
    expect(mapError(new Error('password=hunter2 at db.ts:12'))).toEqual({
      status: 500,
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
      internal: true,
    });
    expect(mapError(new InternalServerErrorException('connection string postgres://u:p@h/db'))).toMatchObject(
      {
        status: 500,
        message: 'Internal server error',
        internal: true,
      },
    );
    expect(mapError('a thrown string')).toMatchObject({ status: 500, internal: true });
    expect(mapError(undefined)).toMatchObject({ status: 500, internal: true });
  });

  it('gives HTTP exceptions the stable code of their status', () => {
    expect(mapError(new BadRequestException('bad'))).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      message: 'bad',
    });
    expect(mapError(new HttpException('gone', 404))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(mapError(new HttpException('busy', 429))).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });

  it("names Fastify's own client errors, bare or wrapped by Nest", () => {
    const invalidJson = Object.assign(new Error('Unexpected end'), {
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      statusCode: 400,
    });
    expect(mapError(invalidJson)).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST', internal: false });
    const wrapped = new PayloadTooLargeException('too big', {
      cause: Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }),
    });
    expect(mapError(wrapped)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    const mediaType = Object.assign(new Error('Unsupported Media Type: text/csv'), {
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      statusCode: 415,
    });
    expect(mapError(mediaType)).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('answers 503 when the database could not complete the request, 500 when it refused the statement', () => {
    const failed = (code: string, message = 'failed') =>
      new QueryFailedError('UPDATE orders SET ...', [], Object.assign(new Error(message), { code }));
    const unavailable = {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The database did not complete the request: send it again',
      headers: { 'retry-after': '1' },
      internal: true,
    };
    expect(mapError(failed('40P01', 'deadlock detected'))).toEqual(unavailable);
    expect(mapError(failed('40001'))).toEqual(unavailable);
    expect(mapError(failed('57P01', 'terminating connection due to administrator command'))).toEqual(
      unavailable,
    );
    expect(mapError(failed('08006'))).toEqual(unavailable);
    expect(mapError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toEqual(
      unavailable,
    );
    expect(mapError(new Error('Connection terminated unexpectedly'))).toEqual(unavailable);
    // Sending these again changes nothing: a fault to log, answered as one.
    expect(mapError(failed('23505', 'duplicate key value')).status).toBe(500);
    expect(mapError(failed('42601', 'syntax error')).status).toBe(500);
  });
});
