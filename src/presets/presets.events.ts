export {};

/** What the presets module announces. */
declare module '../platform/events/event-bus' {
  interface DomainEvents {
    'preset.changed': { name: string; change: 'created' | 'updated' | 'deleted' };
  }
}
