import { BudgetExhausted, RequestBudget } from './request-budget';

describe('RequestBudget', () => {
  function budget() {
    let now = 0;
    const slept: number[] = [];
    const paced = new RequestBudget(
      1_000,
      0,
      () => now,
      (ms) => {
        slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
    );
    return { paced, slept, advance: (ms: number) => (now += ms) };
  }
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

  it('lets a window fill, then waits until its oldest request leaves the window', async () => {
    const { paced, slept, advance } = budget();
    const limit = [{ key: 'overall', perWindow: 3 }];
    for (let i = 0; i < 3; i++) {
      (await paced.take(limit, 0))();
      advance(100);
    }
    expect(slept).toEqual([]);
    await paced.take(limit, 5_000);
    // The first was answered at 0 and leaves the window at 1,000; it is 300 now.
    expect(sum(slept)).toBe(700);
  });

  it('counts a request from its answer: one answered late holds the window longer', async () => {
    const { paced, slept, advance } = budget();
    const limit = [{ key: 'overall', perWindow: 1 }];
    const answered = await paced.take(limit, 0);
    advance(400);
    answered();
    await paced.take(limit, 5_000);
    expect(sum(slept)).toBe(1_000);
  });

  it('waits for the strictest of the limits a request falls under', async () => {
    const { paced, slept } = budget();
    (
      await paced.take(
        [
          { key: 'overall', perWindow: 10 },
          { key: 'deals', perWindow: 1 },
        ],
        0,
      )
    )();
    (
      await paced.take(
        [
          { key: 'overall', perWindow: 10 },
          { key: 'bots', perWindow: 1 },
        ],
        0,
      )
    )();
    await paced.take(
      [
        { key: 'overall', perWindow: 10 },
        { key: 'deals', perWindow: 1 },
      ],
      5_000,
    );
    expect(sum(slept)).toBe(1_000);
  });

  it('refuses without counting when the wait is longer than the caller may wait', async () => {
    const { paced } = budget();
    const limit = [{ key: 'overall', perWindow: 1 }];
    (await paced.take(limit, 0))();
    await expect(paced.take(limit, 999)).rejects.toBeInstanceOf(BudgetExhausted);
    expect(paced.waitFor(limit)).toBe(1_000);
  });
});
