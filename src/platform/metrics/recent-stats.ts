export interface StatsSummary {
  count: number;
  mean: number | null;
  min: number | null;
  max: number | null;
}

/** Summary statistics of a list of values (null mean, min and max when it is empty). */
export function summarize(values: readonly number[], digits = 3): StatsSummary {
  if (values.length === 0) return { count: 0, mean: null, min: null, max: null };
  const round = (value: number) => Number(value.toFixed(digits));
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { count: values.length, mean: round(sum / values.length), min: round(min), max: round(max) };
}

/** The last `capacity` values of a measure (a ring), for summaries of recent behaviour. */
export class RecentValues {
  private readonly values: number[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  add(value: number): void {
    if (this.values.length < this.capacity) this.values.push(value);
    else this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
  }

  summary(digits?: number): StatsSummary {
    return summarize(this.values, digits);
  }
}
