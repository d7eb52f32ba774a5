import type { PageCounts } from './sync.repository';

/** What an importer reports as it goes: counts added per page and how far it is (0-1). */
export interface SyncProgress {
  add(counts: Partial<PageCounts> & { fetched: number }, done: number): Promise<void>;
  details(values: Record<string, number>): void;
  now(): number;
}
