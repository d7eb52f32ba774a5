import type { AlertEvent, EngineUpdate, SignalEvent } from './engine-state';

/** What the engine announces. */
declare module '../platform/events/event-bus' {
  interface DomainEvents {
    /** A bot's state changed (ENGINE_UPDATE on the `engine` topic). */
    'engine.state': EngineUpdate;
    /** A strategy said buy or sell for a scanned candidate (SIGNAL on `signals`). */
    'engine.signal': SignalEvent;
    /** Something a person should look at (`alert` on `alerts`). */
    'alert.raised': AlertEvent;
  }
}
