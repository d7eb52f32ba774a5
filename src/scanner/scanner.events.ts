import type { ScanResult } from './scanner.service';

/** What the scanner announces. */
declare module '../platform/events/event-bus' {
  interface DomainEvents {
    /** A scan finished (SCAN_RESULT on the `scanner` topic). */
    'scanner.result': ScanResult & { botId: string | null };
  }
}
