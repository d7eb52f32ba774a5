import { Injectable, Logger } from '@nestjs/common';

/**
 * The typed map of domain events: name -> payload. Each domain module adds its own events by
 * augmenting this interface (`declare module '.../event-bus' { interface DomainEvents { ... } }`),
 * so producers and listeners share one type without the platform knowing the domains.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DomainEvents {}

export type EventName = keyof DomainEvents;
export type EventListener<K extends EventName> = (payload: DomainEvents[K], name: K) => void;
type AnyListener = (payload: unknown, name: EventName) => void;

/**
 * One in-process bus for domain events. Producers publish after their transaction commits, never
 * before, so a listener never sees a change that could still roll back. Delivery is synchronous and
 * in publication order; a listener that throws is logged and does not stop the others.
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger('EventBus');
  private readonly listeners = new Map<EventName, AnyListener[]>();
  private readonly everyEvent: AnyListener[] = [];

  on<K extends EventName>(name: K, listener: EventListener<K>): () => void {
    const list = this.listeners.get(name) ?? [];
    list.push(listener as AnyListener);
    this.listeners.set(name, list);
    return () => this.remove(list, listener as AnyListener);
  }

  /** Every event, whatever its name (the realtime gateway, metrics). */
  onAny(listener: (payload: unknown, name: EventName) => void): () => void {
    this.everyEvent.push(listener);
    return () => this.remove(this.everyEvent, listener);
  }

  publish<K extends EventName>(name: K, payload: DomainEvents[K]): void {
    for (const listener of this.listeners.get(name) ?? []) this.deliver(listener, payload, name);
    for (const listener of this.everyEvent) this.deliver(listener, payload, name);
  }

  private deliver(listener: AnyListener, payload: unknown, name: EventName): void {
    try {
      listener(payload, name);
    } catch (error) {
      this.logger.error(`listener of ${String(name)} failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  private remove(list: AnyListener[], listener: AnyListener): void {
    const index = list.indexOf(listener);
    if (index >= 0) list.splice(index, 1);
  }
}
