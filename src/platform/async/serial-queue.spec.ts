import { SerialQueue } from './serial-queue';

describe('SerialQueue', () => {
  it('runs work one piece at a time in order, counts what is pending, and goes on after a failure', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let release!: () => void;
    const first = queue.run(async () => {
      log.push('first start');
      await new Promise<void>((resolve) => (release = resolve));
      log.push('first end');
      return 1;
    });
    const failing = queue.run(async () => {
      log.push('second');
      throw new Error('boom');
    });
    const third = queue.run(async () => {
      log.push('third');
      return 3;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.pending).toBe(3);
    expect(log).toEqual(['first start']);
    release();
    expect(await first).toBe(1);
    await expect(failing).rejects.toThrow('boom');
    expect(await third).toBe(3);
    expect(log).toEqual(['first start', 'first end', 'second', 'third']);
    expect(queue.pending).toBe(0);
  });
});
