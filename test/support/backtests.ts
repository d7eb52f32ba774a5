import { call } from './auth-client';
import type { TestApp } from './test-app';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/** Polls GET /api/backtests/:id until the backtest has finished (the suite's deadline stops a hang). */
export async function finishedBacktest<T extends { status: string }>(
  t: TestApp,
  id: string,
  token: string,
): Promise<T> {
  for (;;) {
    const response = await call<T>(t, 'GET', `/api/backtests/${id}`, { token });
    if (response.status !== 200) throw new Error(`GET /api/backtests/${id} answered ${response.status}`);
    if (FINISHED.has(response.body.status)) return response.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
