import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections?: number;
  durationSeconds?: number;
}

export async function measure(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    headers: options.headers,
    connections: options.connections ?? 50,
    duration: options.durationSeconds ?? 4,
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The value below which `p` percent of the values lie (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export interface Comparison {
  name: string;
  floor: LoadResult[];
  subject: LoadResult[];
}

/**
 * Runs floor and subject in alternation (A B A B ...), so drift of the machine during the run hits
 * both alike, and reports the median of each and their ratio.
 */
export async function compare(
  name: string,
  floor: LoadOptions,
  subject: LoadOptions,
  rounds: number,
): Promise<Comparison> {
  await measure({ ...floor, durationSeconds: 1 });
  await measure({ ...subject, durationSeconds: 1 });
  const comparison: Comparison = { name, floor: [], subject: [] };
  for (let round = 0; round < rounds; round++) {
    comparison.floor.push(await measure(floor));
    comparison.subject.push(await measure(subject));
  }
  for (const result of [...comparison.floor, ...comparison.subject]) {
    if (result.non2xx > 0)
      throw new Error(`${name}: ${result.non2xx} non-2xx answers; the benchmark is not measuring success`);
  }
  return comparison;
}

export function report(comparison: Comparison, target: number): boolean {
  const floorRps = median(comparison.floor.map((r) => r.requestsPerSecond));
  const subjectRps = median(comparison.subject.map((r) => r.requestsPerSecond));
  const ratio = subjectRps / floorRps;
  const p99 = (results: LoadResult[]) => median(results.map((r) => r.p99Ms));
  const met = ratio >= target;
  console.log(
    `${comparison.name}: ${Math.round(subjectRps)} req/s vs floor ${Math.round(floorRps)} req/s -> ratio ${ratio.toFixed(3)} ` +
      `(target >= ${target}, ${met ? 'met' : 'NOT met'}); p99 ${p99(comparison.subject)} ms vs ${p99(comparison.floor)} ms`,
  );
  return met;
}
