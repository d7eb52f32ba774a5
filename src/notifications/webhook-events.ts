/** The events a webhook may subscribe to. */
export const WEBHOOK_EVENTS = [
  'alert.raised',
  'alert.resolved',
  'order.filled',
  'trade.opened',
  'trade.closed',
  'bot.state',
  'job.finished',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** What POST /api/webhooks/:id/test sends (to that webhook only). */
export const TEST_EVENT = 'webhook.test';
