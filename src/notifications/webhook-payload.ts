import type { WebhookFormat } from './webhook.entity';

export interface WebhookEventBody {
  id: string;
  type: string;
  time: string;
  data: Record<string, unknown>;
}

/** One line a person reads in a chat channel. */
function summary(event: WebhookEventBody): string {
  const data = event.data;
  const text = (key: string) => (typeof data[key] === 'string' ? data[key] : undefined);
  switch (event.type) {
    case 'alert.raised':
      return `[${text('severity')?.toUpperCase() ?? 'ALERT'}] ${text('type')} (${text('source')}): ${text('message')}`;
    case 'alert.resolved':
      return `[RESOLVED] ${text('type')} (${text('source')}) by ${text('resolvedBy')}`;
    case 'bot.state':
      return `Bot ${text('bot')}: ${text('previous')} -> ${text('state')}${text('reason') ? ` (${text('reason')})` : ''}`;
    case 'job.finished':
      return `Job ${text('queue')} ${text('id')}: ${text('state')}${text('error') ? ` (${text('error')})` : ''}`;
    default: {
      const subject = (data.order ?? data.position ?? data) as Record<string, unknown>;
      return `${event.type}: ${[subject.symbol, subject.side, subject.status].filter(Boolean).join(' ')}`;
    }
  }
}

/** Slack reads `<...>` as links and mentions (`<!channel>`): escaped as its documentation says. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The body a webhook of a format receives: the event itself, or Slack's / Discord's text message. */
export function webhookBody(format: WebhookFormat, event: WebhookEventBody): string {
  // Text from the events (user names, messages) must not ping a channel: Slack's control characters
  // are escaped, Discord is told to parse no mentions.
  if (format === 'slack') return JSON.stringify({ text: slackEscape(summary(event)), event });
  if (format === 'discord')
    return JSON.stringify({ content: summary(event).slice(0, 2000), allowed_mentions: { parse: [] } });
  return JSON.stringify(event);
}
