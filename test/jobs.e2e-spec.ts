import { DataSource } from 'typeorm';
import { Role } from '../src/platform/access/role';
import { IDEMPOTENCY_EXPIRY_QUEUE } from '../src/platform/idempotency/idempotency.service';
import { JOB_UPDATE_SPACING_MS } from '../src/platform/jobs/job-update-throttle';
import { JobContext, JobQueue, JobView } from '../src/platform/jobs/job-queue';
import { SAMPLE_RETENTION_QUEUE } from '../src/monitoring/system-sampler.service';
import { call, createKey, loginAdmin } from './support/auth-client';
import { startTestApp, TestApp } from './support/test-app';
import { TestSocket, wsUrl } from './support/ws-client';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('durable jobs (GET /api/jobs, GET /api/jobs/:id, POST /api/jobs/:id/cancel, the jobs topic)', () => {
  let t: TestApp;
  let queue: JobQueue;
  let admin: string;
  let control: string;
  let reader: string;
  const aborts = new Map<string, number>();
  const attemptsAt = new Map<string, number[]>();

  /** Reports 10 %, 20 % ... 100 %, one step every 60 ms. */
  const steps = async (job: JobContext<unknown>) => {
    for (let percent = 10; percent <= 100; percent += 10) {
      await job.progress(percent);
      await sleep(60);
    }
    return { steps: 10 };
  };
  /** Runs until cancelled, reporting progress every 20 ms, and notes when it stopped. */
  const endless = async (job: JobContext<unknown>) => {
    try {
      for (let tick = 0; ; tick++) {
        await job.progress(tick % 100);
        await sleep(20);
      }
    } finally {
      aborts.set(job.id, Date.now());
    }
  };
  /** Fails every attempt, noting when each started. */
  const failing = async (job: JobContext<unknown>) => {
    attemptsAt.set(job.id, [...(attemptsAt.get(job.id) ?? []), Date.now()]);
    throw new Error(`attempt ${job.attempt} failed`);
  };

  const job = async (id: string, token = admin) => call<JobView>(t, 'GET', `/api/jobs/${id}`, { token });
  const until = async (id: string, done: (view: JobView) => boolean): Promise<JobView> => {
    for (;;) {
      const { status, body } = await job(id);
      expect(status).toBe(200);
      if (done(body)) return body;
      await sleep(25);
    }
  };

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ADMIN: '100000', RATE_LIMIT_CONTROL: '100000' });
    queue = t.app.get(JobQueue);
    await queue.define('test.steps', { pollSeconds: 0.5 }, steps);
    await queue.define('test.endless', { handledBy: Role.CONTROL, pollSeconds: 0.5 }, endless);
    await queue.define('test.failing', { retryLimit: 1, retryDelaySeconds: 1, pollSeconds: 0.5 }, failing);
    admin = (await loginAdmin(t)).accessToken;
    control = (await createKey(t, admin, { name: 'operator', permissions: [Role.CONTROL] })).apiKey;
    reader = (await createKey(t, admin, { name: 'viewer', permissions: [Role.READ_ONLY] })).apiKey;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists a job with its progress while it runs, then completed with its result', async () => {
    const id = (await queue.enqueue('test.steps', { label: 'first' }))!;
    const running = await until(id, (view) => view.state === 'running' && view.progress > 0);
    expect(running).toMatchObject({ id, queue: 'test.steps', attempts: 1, maxAttempts: 3, finishedAt: null });
    expect(running.startedAt).not.toBeNull();
    const listed = await call<{ items: JobView[]; total: number; limit: number }>(
      t,
      'GET',
      '/api/jobs?queue=test.steps&state=running',
      { token: admin },
    );
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(1);
    expect(listed.body.items.map((item) => item.id)).toEqual([id]);
    expect(listed.body.items[0].progress).toBeGreaterThan(0);

    const done = await until(id, (view) => view.state === 'completed');
    expect(done).toMatchObject({
      progress: 100,
      attempts: 1,
      data: { label: 'first' },
      result: { steps: 10 },
      error: null,
    });
    expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(done.startedAt!));
    const completed = await call<{ items: JobView[]; total: number }>(
      t,
      'GET',
      '/api/jobs?queue=test.steps&state=completed',
      { token: admin },
    );
    expect(completed.body.items.map((item) => item.id)).toContain(id);
  });

  it('retries a failing job after a backoff, then fails it with the last error', async () => {
    const id = (await queue.enqueue('test.failing', {}))!;
    const waiting = await until(id, (view) => view.state === 'retry');
    expect(waiting).toMatchObject({ attempts: 1, maxAttempts: 2, error: 'attempt 1 failed' });
    const failed = await until(id, (view) => view.state === 'failed');
    expect(failed).toMatchObject({ attempts: 2, error: 'attempt 2 failed', result: null });
    expect(failed.finishedAt).not.toBeNull();
    const [first, second] = attemptsAt.get(id)!;
    expect(second - first).toBeGreaterThanOrEqual(950);
  });

  it('cancels a running job within a second; a finished job cannot be cancelled again', async () => {
    const id = (await queue.enqueue('test.endless', {}))!;
    await until(id, (view) => view.state === 'running' && view.progress > 0);
    const asked = Date.now();
    const cancelled = await call<JobView>(t, 'POST', `/api/jobs/${id}/cancel`, { token: control });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id, state: 'cancelled' });
    while (!aborts.has(id)) await sleep(10);
    expect(aborts.get(id)! - asked).toBeLessThan(1000);
    expect((await job(id)).body.state).toBe('cancelled');
    const again = await call<{ error: string; message: string }>(t, 'POST', `/api/jobs/${id}/cancel`, {
      token: control,
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('cancelled');
  });

  it('cancels a queued job before it starts', async () => {
    // Queued on a queue that no worker of this instance takes yet: it waits.
    const id = (await queue.enqueue('test.unworked', {}))!;
    expect((await job(id)).body).toMatchObject({ state: 'queued', attempts: 0, startedAt: null });
    const cancelled = await call<JobView>(t, 'POST', `/api/jobs/${id}/cancel`, { token: admin });
    expect(cancelled.body).toMatchObject({ state: 'cancelled', attempts: 0 });
  });

  it('keeps other queues from CONTROL, the list from CONTROL, and everything from READ_ONLY', async () => {
    const id = (await queue.enqueue('test.steps', {}))!;
    expect((await job(id, control)).status).toBe(404);
    expect((await call(t, 'POST', `/api/jobs/${id}/cancel`, { token: control })).status).toBe(404);
    expect((await job(id, reader)).status).toBe(403);
    expect((await call(t, 'GET', '/api/jobs', { token: control })).status).toBe(403);
    expect((await job(id, admin)).status).toBe(200);
    expect((await job('8c1e6c1e-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await job('not-a-uuid')).status).toBe(400);
    const badState = await call<{ message: string }>(t, 'GET', '/api/jobs?state=sleeping', { token: admin });
    expect(badState.status).toBe(400);
    await until(id, (view) => view.state === 'completed');
  });

  it('sends JOB_UPDATE on the jobs topic, at most twice a second per job, ending with the finish', async () => {
    const socket = await TestSocket.open(`${wsUrl(t.baseUrl)}?token=${admin}`);
    const refused = await TestSocket.open(`${wsUrl(t.baseUrl)}?token=${reader}`);
    try {
      socket.send({ type: 'subscribe', topics: ['jobs'] });
      await socket.next((message) => message.type === 'subscribed');
      refused.send({ type: 'subscribe', topics: ['jobs'] });
      const refusal = await refused.next((message) => message.type === 'subscribed');
      expect(refusal.data).toMatchObject({
        subscribed: [],
        refused: [{ topic: 'jobs', reason: 'needs the ADMIN role' }],
      });

      const id = (await queue.enqueue('test.steps', { label: 'watched' }))!;
      await socket.next(
        (message) =>
          message.type === 'JOB_UPDATE' && message.data.id === id && message.data.state === 'completed',
        10_000,
      );
      const updates = socket.messages.filter(
        (message) => message.type === 'JOB_UPDATE' && message.data.id === id,
      );
      // 10 progress reports over ~600 ms and three state changes, thinned to 2 a second.
      expect(updates.length).toBeGreaterThanOrEqual(2);
      expect(updates.length).toBeLessThan(10);
      for (let index = 1; index < updates.length; index++)
        expect(updates[index].ts - updates[index - 1].ts).toBeGreaterThanOrEqual(JOB_UPDATE_SPACING_MS - 20);
      expect(updates.at(-1)!.data).toMatchObject({
        id,
        queue: 'test.steps',
        state: 'completed',
        progress: 100,
      });
      expect(refused.messages.some((message) => message.type === 'JOB_UPDATE')).toBe(false);
    } finally {
      socket.close();
      refused.close();
    }
  });

  it('keeps one job per singleton key waiting or running on an exclusive queue', async () => {
    await queue.define('test.exclusive', { exclusive: true, pollSeconds: 0.5 }, endless);
    const first = await queue.enqueue('test.exclusive', {}, { singletonKey: 'only-one' });
    await until(first!, (view) => view.state === 'running');
    const second = await queue.enqueue('test.exclusive', {}, { singletonKey: 'only-one' });
    const other = await queue.enqueue('test.exclusive', {}, { singletonKey: 'another' });
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    expect(other).toEqual(expect.any(String));
    expect((await queue.cancel(first!))!.state).toBe('cancelled');
    expect((await queue.cancel(other!))!.state).toBe('cancelled');
    // Once the first has ended, the key is free again.
    const third = await queue.enqueue('test.exclusive', {}, { singletonKey: 'only-one' });
    expect(third).toEqual(expect.any(String));
    await queue.cancel(third!);
  });

  it('schedules housekeeping once across instances, and its jobs do the work', async () => {
    const dataSource = t.app.get(DataSource);
    const schedules = await dataSource.query<Array<{ name: string; cron: string; timezone: string }>>(
      'SELECT name, cron, timezone FROM pgboss.schedule ORDER BY name',
    );
    expect(schedules).toEqual(
      expect.arrayContaining([
        { name: IDEMPOTENCY_EXPIRY_QUEUE, cron: '0 * * * *', timezone: 'UTC' },
        { name: SAMPLE_RETENTION_QUEUE, cron: '*/10 * * * *', timezone: 'UTC' },
      ]),
    );
    await dataSource.query(
      `INSERT INTO idempotency_keys (principal, key, route, request_hash, state, expires_at)
       VALUES ('user:x', 'old-key', 'POST /api/orders', repeat('a', 64), 'completed', now() - interval '1 hour')`,
    );
    const id = (await queue.enqueue(IDEMPOTENCY_EXPIRY_QUEUE, {}))!;
    const done = await until(id, (view) => view.state === 'completed' || view.state === 'failed');
    expect(done).toMatchObject({ state: 'completed', result: { deleted: 1 } });
    const left = await dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'old-key'`,
    );
    expect(left[0].n).toBe(0);
  });
});
