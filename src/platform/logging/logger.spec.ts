import { Writable } from 'node:stream';
import { requestContext } from '../http/request-context';
import { createRootLogger, PinoNestLogger } from './logger';

function capture(): { lines: Array<Record<string, unknown>>; logger: PinoNestLogger } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const root = createRootLogger('debug', stream);
  return { lines, logger: new PinoNestLogger(root) };
}

describe('PinoNestLogger', () => {
  it('stamps every line written during a request with its request id, and no other line', async () => {
    const { lines, logger } = capture();
    await requestContext.run({ requestId: 'req-42' }, async () => {
      logger.log('inside', 'Orders');
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.warn('still inside, after an await', 'Orders');
    });
    logger.log('outside', 'Main');
    expect(lines.map((line) => [line.msg, line.requestId, line.context])).toEqual([
      ['inside', 'req-42', 'Orders'],
      ['still inside, after an await', 'req-42', 'Orders'],
      ['outside', undefined, 'Main'],
    ]);
  });

  it('keeps the stack of an error and redacts secret fields', () => {
    const { lines, logger } = capture();
    logger.error(new Error('boom'), 'HttpError');
    logger.log({ msg: 'login', user: { name: 'ann', password: 'hunter2' }, token: 'abc' }, 'Auth');
    expect(lines[0]).toMatchObject({ msg: 'boom', context: 'HttpError', err: { message: 'boom' } });
    expect((lines[0].err as { stack: string }).stack).toContain('logger.spec.ts');
    expect(lines[1]).toMatchObject({
      service: 'tradeplane',
      user: { name: 'ann', password: '[redacted]' },
      token: '[redacted]',
    });
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });
});
