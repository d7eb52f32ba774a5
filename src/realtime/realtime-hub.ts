import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Principal } from '../platform/access/principal';
import { Role, roleSatisfies } from '../platform/access/role';
import { AppConfig } from '../platform/config/app-config';
import { Clock } from '../platform/time/clock';
import { canonicalTopic, TICKER_TOPIC_PREFIX, topicRole } from './topics';

/** Closed by the server: unauthenticated in time, too slow a reader, too many messages. */
export const CLOSE_UNAUTHENTICATED = 4401;
/** Closed by the server: the caller's role went down and it lost topics it had subscribed to. */
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_TRY_AGAIN_LATER = 1013;
export const CLOSE_POLICY_VIOLATION = 1008;
/** A client over its buffer limit for this long is dropped. */
const SLOW_CLIENT_GRACE_MS = 1000;
const RATE_WINDOW_MS = 10_000;

export interface Connection {
  id: string;
  sessionId: string | null;
  socket: WebSocket;
  principal: Principal | undefined;
  /** The token or API key the principal came from, checked again whenever access may have changed. */
  credential: string | undefined;
  topics: Set<string>;
  connectedAt: number;
  /** Round trip of the last ping, for HEARTBEAT. */
  latencyMs: number | null;
  pingSentAt: number | null;
  overLimitSince: number | null;
  windowStart: number;
  messagesInWindow: number;
  authTimer: NodeJS.Timeout | undefined;
  /** A token being checked: messages that need a principal wait for it instead of being refused. */
  authenticating: Promise<void> | null;
}

export interface SubscribeOutcome {
  subscribed: string[];
  refused: Array<{ topic: string; reason: string }>;
}

/**
 * The WebSocket connections and their topics. A published event is serialised once and the same
 * buffer goes to every subscriber; a subscriber whose unsent data stays over the limit is dropped
 * (1013) instead of slowing the others or growing memory.
 */
@Injectable()
export class RealtimeHub {
  private readonly logger = new Logger('Realtime');
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly subscribers = new Map<string, Set<Connection>>();
  private readonly startedAt: number;
  private messagesSent = 0;
  private messagesSentToday = 0;
  private today = '';
  private messagesDropped = 0;
  private messagesReceived = 0;
  private slowClientsClosed = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.nowMs();
  }

  add(socket: WebSocket, sessionId: string | null): Connection {
    const connection: Connection = {
      id: randomUUID(),
      sessionId,
      socket,
      principal: undefined,
      credential: undefined,
      topics: new Set(),
      connectedAt: this.clock.nowMs(),
      latencyMs: null,
      pingSentAt: null,
      overLimitSince: null,
      windowStart: this.clock.nowMs(),
      messagesInWindow: 0,
      authTimer: undefined,
      authenticating: null,
    };
    this.connections.set(socket, connection);
    return connection;
  }

  get(socket: WebSocket): Connection | undefined {
    return this.connections.get(socket);
  }

  all(): IterableIterator<Connection> {
    return this.connections.values();
  }

  remove(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    if (!connection) return;
    clearTimeout(connection.authTimer);
    for (const topic of connection.topics) this.subscribers.get(topic)?.delete(connection);
    this.connections.delete(socket);
  }

  /** Counts a client message; false when the socket is over its rate (the message is then ignored). */
  admit(connection: Connection): boolean {
    this.messagesReceived++;
    const now = this.clock.nowMs();
    if (now - connection.windowStart >= RATE_WINDOW_MS) {
      connection.windowStart = now;
      connection.messagesInWindow = 0;
    }
    connection.messagesInWindow++;
    const limit = this.config.realtime.messagesPer10s;
    if (connection.messagesInWindow > 2 * limit) {
      connection.socket.close(CLOSE_POLICY_VIOLATION, 'too many messages');
      return false;
    }
    return connection.messagesInWindow <= limit;
  }

  /** `knownSymbol` tells which `tickers:SYMBOL` topics can ever carry data. */
  subscribe(
    connection: Connection,
    rawTopics: string[],
    knownSymbol: (symbol: string) => boolean,
  ): SubscribeOutcome {
    const outcome: SubscribeOutcome = { subscribed: [], refused: [] };
    for (const raw of rawTopics) {
      const topic = canonicalTopic(raw);
      if (!topic) {
        outcome.refused.push({ topic: raw, reason: 'unknown topic' });
        continue;
      }
      if (topic.startsWith(TICKER_TOPIC_PREFIX) && !knownSymbol(topic.slice(TICKER_TOPIC_PREFIX.length))) {
        outcome.refused.push({ topic: raw, reason: 'no market data for this symbol' });
        continue;
      }
      const role = topicRole(topic);
      if (!connection.principal || !roleSatisfies(connection.principal.role, role)) {
        outcome.refused.push({ topic: raw, reason: `needs the ${role} role` });
        continue;
      }
      connection.topics.add(topic);
      let set = this.subscribers.get(topic);
      if (!set) this.subscribers.set(topic, (set = new Set()));
      set.add(connection);
      outcome.subscribed.push(topic);
    }
    return outcome;
  }

  /** Drops the connection's topics that its (lowered) role may not read; answers the dropped ones. */
  dropTopicsAbove(connection: Connection, role: Role): string[] {
    const dropped = [...connection.topics].filter((topic) => !roleSatisfies(role, topicRole(topic)));
    for (const topic of dropped) {
      connection.topics.delete(topic);
      this.subscribers.get(topic)?.delete(connection);
    }
    return dropped;
  }

  unsubscribe(connection: Connection, rawTopics: string[]): string[] {
    const removed: string[] = [];
    for (const raw of rawTopics) {
      const topic = canonicalTopic(raw) ?? raw;
      if (connection.topics.delete(topic)) {
        this.subscribers.get(topic)?.delete(connection);
        removed.push(topic);
      }
    }
    return removed;
  }

  /** Sends `{type, topic, ts, timestamp, data}` to the topic's subscribers, serialised once. */
  subscriberCount(topic: string): number {
    return this.subscribers.get(topic)?.size ?? 0;
  }

  publish(topic: string, type: string, data: unknown): number {
    const set = this.subscribers.get(topic);
    if (!set || set.size === 0) return 0;
    const ts = this.clock.nowMs();
    const frame = Buffer.from(
      JSON.stringify({ type, topic, ts, timestamp: new Date(ts).toISOString(), data }),
    );
    let delivered = 0;
    for (const connection of set) if (this.sendFrame(connection, frame, ts)) delivered++;
    return delivered;
  }

  /** A message for one connection (replies, heartbeats). */
  sendTo(connection: Connection, message: Record<string, unknown>): void {
    const ts = this.clock.nowMs();
    this.sendFrame(connection, Buffer.from(JSON.stringify({ ts, ...message })), ts);
  }

  /** Drops the clients that stayed over the buffer limit (called every second). */
  sweepSlowClients(): void {
    const now = this.clock.nowMs();
    for (const connection of this.connections.values()) this.overLimit(connection, now);
  }

  stats(): {
    totalConnections: number;
    authenticatedConnections: number;
    activeSessions: string[];
    subscriptionStats: Record<string, number>;
    messagesSent: number;
    messagesSentToday: number;
    messagesReceived: number;
    messagesDropped: number;
    slowClientsDisconnected: number;
    uptimeHours: number;
  } {
    const connections = [...this.connections.values()];
    return {
      totalConnections: connections.length,
      authenticatedConnections: connections.filter((connection) => connection.principal).length,
      activeSessions: [
        ...new Set(
          connections.map((connection) => connection.sessionId).filter((id): id is string => id !== null),
        ),
      ].sort(),
      subscriptionStats: Object.fromEntries(
        [...this.subscribers].filter(([, set]) => set.size > 0).map(([topic, set]) => [topic, set.size]),
      ),
      messagesSent: this.messagesSent,
      messagesSentToday: this.messagesSentToday,
      messagesReceived: this.messagesReceived,
      messagesDropped: this.messagesDropped,
      slowClientsDisconnected: this.slowClientsClosed,
      uptimeHours: Math.round(((this.clock.nowMs() - this.startedAt) / 3_600_000) * 1000) / 1000,
    };
  }

  private sendFrame(connection: Connection, frame: Buffer, now: number): boolean {
    const socket = connection.socket;
    if (socket.readyState !== 1) return false;
    if (this.overLimit(connection, now)) {
      this.messagesDropped++;
      return false;
    }
    socket.send(frame, { binary: false });
    this.messagesSent++;
    const day = new Date(now).toISOString().slice(0, 10);
    if (day !== this.today) {
      this.today = day;
      this.messagesSentToday = 0;
    }
    this.messagesSentToday++;
    return true;
  }

  /** True while the client is over its buffer limit; closes it once it stayed over for the grace period. */
  private overLimit(connection: Connection, now: number): boolean {
    const buffered = connection.socket.bufferedAmount;
    const limit = this.config.realtime.maxBufferedBytes;
    if (buffered <= limit) {
      connection.overLimitSince = null;
      return false;
    }
    connection.overLimitSince ??= now;
    if (now - connection.overLimitSince >= SLOW_CLIENT_GRACE_MS || buffered > 4 * limit) {
      this.slowClientsClosed++;
      this.logger.warn(`closing slow WebSocket client ${connection.id}: ${buffered} bytes unsent`);
      connection.socket.close(CLOSE_TRY_AGAIN_LATER, 'too slow: messages are not being read');
      // close() waits for the buffered data; a reader that stopped would never let it finish.
      setTimeout(() => connection.socket.terminate(), 2000).unref();
      this.remove(connection.socket);
    }
    return true;
  }
}
