import { ManualClock } from '../../../test/support/manual-clock';
import { SlidingWindowStore } from './sliding-window.store';

describe('SlidingWindowStore', () => {
  const MINUTE = 60_000;
  let clock: ManualClock;
  let store: SlidingWindowStore;

  beforeEach(() => {
    clock = new ManualClock(1_000_000);
    store = new SlidingWindowStore(clock);
  });
  afterEach(() => store.onModuleDestroy());

  async function hits(count: number, key = 'k', limit = 100): Promise<boolean[]> {
    const blocked: boolean[] = [];
    for (let i = 0; i < count; i++)
      blocked.push((await store.increment(key, MINUTE, limit, 0, 'g')).isBlocked);
    return blocked;
  }

  it('allows exactly the limit in a window and refuses the next, without counting refusals', async () => {
    const blocked = await hits(101);
    expect(blocked.filter((b) => !b)).toHaveLength(100);
    expect(blocked[100]).toBe(true);
    const refused = await store.increment('k', MINUTE, 100, 0, 'g');
    expect(refused).toMatchObject({
      isBlocked: true,
      totalHits: 101,
      timeToExpire: 60,
      timeToBlockExpire: 60,
    });
  });

  it('does not multiply the last window when the clock steps back (NTP), nor block a caller under its limit', async () => {
    await hits(60);
    clock.ms += MINUTE + 1000;
    await hits(30);
    // The clock steps back an hour: the windows it knows are in its future.
    clock.ms -= 60 * MINUTE;
    const blocked = await hits(5);
    expect(blocked).toEqual([false, false, false, false, false]);
  });

  it('keeps keys and throttler names apart', async () => {
    await hits(100, 'a');
    expect((await store.increment('b', MINUTE, 100, 0, 'g')).isBlocked).toBe(false);
    expect((await store.increment('a', MINUTE, 100, 0, 'other')).isBlocked).toBe(false);
  });

  it('slides: the previous window counts in proportion to its overlap', async () => {
    await hits(100);
    clock.ms += MINUTE; // new window starts; the previous 100 still fully overlap
    expect((await store.increment('k', MINUTE, 100, 0, 'g')).isBlocked).toBe(true);
    clock.ms += MINUTE / 2; // half of the previous window remains: 50 used
    const allowed = (await hits(60)).filter((b) => !b).length;
    expect(allowed).toBe(50);
    clock.ms += 2 * MINUTE; // two windows later nothing remains
    expect((await hits(100)).every((b) => !b)).toBe(true);
  });

  it('reports remaining budget through totalHits and the seconds to the window end', async () => {
    await hits(9, 'k', 10);
    clock.ms += 15_000;
    expect(await store.increment('k', MINUTE, 10, 0, 'g')).toEqual({
      totalHits: 10,
      timeToExpire: 45,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('counts exactly past 200,000 hits in a window with a very large limit', async () => {
    // The stock throttler storage throws RangeError here (Math.min over one entry per hit).
    for (let i = 0; i < 200_000; i++) await store.increment('big', MINUTE, 1_000_000_000, 0, 'g');
    expect(await store.increment('big', MINUTE, 1_000_000_000, 0, 'g')).toEqual({
      totalHits: 200_001,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });
});
