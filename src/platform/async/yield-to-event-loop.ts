/**
 * Lets pending I/O and timers run before going on. Long synchronous work (simulating a market day,
 * PGlite queries, which run on the main thread) yields between pieces so requests are served meanwhile.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
