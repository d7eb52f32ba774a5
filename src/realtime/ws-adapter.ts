import { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage, Server } from 'node:http';

export const WS_PATH = '/ws';
const SESSION_PATH = /^\/ws\/([A-Za-z0-9_.-]{1,64})$/;

/** A client message as the gateway's handlers receive it: `{type, ...}` becomes event and data. */
export interface ParsedClientMessage {
  event: string;
  data: Record<string, unknown>;
}

export const CLIENT_MESSAGE_TYPES = new Set(['auth', 'subscribe', 'unsubscribe', 'ping']);
export const INVALID_MESSAGE_EVENT = 'invalid';

/**
 * Our protocol is `{type: "subscribe", topics: [...]}`; Nest's ws adapter routes `{event, data}`.
 * Anything that is not one of our messages goes to the `invalid` handler, which answers an error
 * (the default parser would drop it silently).
 */
export function parseClientMessage(raw: unknown): ParsedClientMessage {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : String(raw);
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { event: INVALID_MESSAGE_EVENT, data: { reason: 'the message is not JSON' } };
  }
  if (!message || typeof message !== 'object' || Array.isArray(message))
    return { event: INVALID_MESSAGE_EVENT, data: { reason: 'the message must be a JSON object' } };
  const type = (message as Record<string, unknown>).type;
  if (typeof type !== 'string' || !CLIENT_MESSAGE_TYPES.has(type))
    return {
      event: INVALID_MESSAGE_EVENT,
      data: { reason: `type must be one of ${[...CLIENT_MESSAGE_TYPES].join(', ')}` },
    };
  return { event: type, data: message as Record<string, unknown> };
}

/** `/ws/<sessionId>` is served by the `/ws` gateway, with the session id moved into the query. */
function rewriteSessionPath(request: IncomingMessage): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const match = SESSION_PATH.exec(url.pathname);
  if (!match) return;
  url.searchParams.set('session', match[1]);
  request.url = `${WS_PATH}${url.search}`;
}

/** Nest's ws adapter with our message format and session paths, on the application's HTTP server. */
export class RealtimeWsAdapter extends WsAdapter {
  private sessionPathsServed = false;

  constructor(app: INestApplicationContext) {
    super(app, {
      messageParser: (data) => parseClientMessage(data),
    });
  }

  override create(port: number, options?: Record<string, unknown> & { path?: string }): unknown {
    const server: unknown = super.create(port, options as never);
    const httpServer = this.httpServer as Server | undefined;
    if (!this.sessionPathsServed && httpServer) {
      httpServer.prependListener('upgrade', rewriteSessionPath);
      this.sessionPathsServed = true;
    }
    return server;
  }
}
