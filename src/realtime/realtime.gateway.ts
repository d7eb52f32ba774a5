import { Inject, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { MarketSimulationService } from '../market/market-simulation.service';
import type { AccessChangedEvent } from '../auth/auth.events';
import { Principal, PRINCIPAL_RESOLVER, PrincipalResolver } from '../platform/access/principal';
import { roleRank } from '../platform/access/role';
import { errorMessage } from '../platform/errors/error-message';
import { EventBus } from '../platform/events/event-bus';
import { AppConfig } from '../platform/config/app-config';
import { Clock } from '../platform/time/clock';
import { CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, Connection, RealtimeHub } from './realtime-hub';
import { INVALID_MESSAGE_EVENT, WS_PATH } from './ws-adapter';

const MAX_TOPICS_PER_MESSAGE = 50;

/**
 * The WebSocket endpoint `/ws` (and `/ws/<sessionId>`). Clients authenticate with `?token=` or a
 * first `{type: "auth", token}` message, then subscribe to topics; every reply and event is
 * `{type, topic?, ts, data}`. A bad message gets an `error` reply and the socket stays open.
 */
@WebSocketGateway({ path: WS_PATH })
export class RealtimeGateway
  implements OnGatewayConnection, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy
{
  private readonly logger = new Logger('Realtime');
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly hub: RealtimeHub,
    @Inject(PRINCIPAL_RESOLVER) private readonly principals: PrincipalResolver,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly simulation: MarketSimulationService,
    private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.config.realtime.heartbeatMs);
    // Every second: slow readers, and credentials that expired or were changed on another instance
    // (the principal cache reads those within PRINCIPAL_CACHE_MS).
    this.sweepTimer = setInterval(() => {
      this.hub.sweepSlowClients();
      this.recheckAll();
    }, 1000);
    this.heartbeatTimer.unref();
    this.sweepTimer.unref();
    this.stopListening = this.events.on('auth.access_changed', (change) => this.recheckAll(change));
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeatTimer);
    clearInterval(this.sweepTimer);
    this.stopListening?.();
  }

  async handleConnection(socket: WebSocket, request: IncomingMessage): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const connection = this.hub.add(socket, url.searchParams.get('session'));
    socket.on('pong', () => {
      if (connection.pingSentAt !== null) connection.latencyMs = this.clock.nowMs() - connection.pingSentAt;
    });
    const token = url.searchParams.get('token');
    if (token) {
      connection.authenticating = this.authenticate(connection, token);
      await connection.authenticating;
      return;
    }
    connection.authTimer = setTimeout(() => {
      if (!connection.principal) socket.close(CLOSE_UNAUTHENTICATED, 'authentication required');
    }, this.config.realtime.authTimeoutMs);
  }

  handleDisconnect(socket: WebSocket): void {
    this.hub.remove(socket);
  }

  @SubscribeMessage('auth')
  async onAuth(
    @ConnectedSocket() socket: WebSocket,
    @MessageBody() message: Record<string, unknown>,
  ): Promise<void> {
    const connection = this.admitted(socket);
    if (!connection) return;
    if (typeof message.token !== 'string' || message.token.length === 0 || message.token.length > 4096)
      return this.error(connection, 'VALIDATION_ERROR', 'auth needs a token: a JWT or an API key');
    connection.authenticating = this.authenticate(connection, message.token);
    await connection.authenticating;
  }

  @SubscribeMessage('subscribe')
  async onSubscribe(
    @ConnectedSocket() socket: WebSocket,
    @MessageBody() message: Record<string, unknown>,
  ): Promise<void> {
    const request = await this.topicRequest(socket, message);
    if (!request) return;
    const { connection, topics } = request;
    const outcome = this.hub.subscribe(
      connection,
      topics,
      (symbol) => this.config.market.simulation && this.simulation.quotes.pairIndex(symbol) >= 0,
    );
    this.hub.sendTo(connection, { type: 'subscribed', data: outcome });
  }

  @SubscribeMessage('unsubscribe')
  async onUnsubscribe(
    @ConnectedSocket() socket: WebSocket,
    @MessageBody() message: Record<string, unknown>,
  ): Promise<void> {
    const request = await this.topicRequest(socket, message);
    if (!request) return;
    const { connection, topics } = request;
    this.hub.sendTo(connection, {
      type: 'unsubscribed',
      data: { topics: this.hub.unsubscribe(connection, topics) },
    });
  }

  @SubscribeMessage('ping')
  onPing(@ConnectedSocket() socket: WebSocket): void {
    const connection = this.admitted(socket);
    if (!connection) return;
    this.hub.sendTo(connection, {
      type: 'pong',
      data: { serverTime: new Date(this.clock.nowMs()).toISOString() },
    });
  }

  @SubscribeMessage(INVALID_MESSAGE_EVENT)
  onInvalid(@ConnectedSocket() socket: WebSocket, @MessageBody() message: Record<string, unknown>): void {
    const connection = this.admitted(socket);
    if (!connection) return;
    this.error(connection, 'INVALID_MESSAGE', String(message.reason));
  }

  private async authenticate(connection: Connection, token: string): Promise<void> {
    const principal = await this.principals.resolveToken(token).catch(() => undefined);
    if (!principal) {
      connection.socket.close(CLOSE_UNAUTHENTICATED, 'invalid credentials');
      return;
    }
    clearTimeout(connection.authTimer);
    connection.principal = principal;
    connection.credential = token;
    this.hub.sendTo(connection, {
      type: 'authenticated',
      data: {
        connectionId: connection.id,
        sessionId: connection.sessionId,
        name: principal.name,
        role: principal.role,
      },
    });
  }

  private recheckAll(change?: AccessChangedEvent): void {
    for (const connection of this.hub.all()) {
      if (connection.principal && connection.credential)
        this.recheck(connection, connection.principal, connection.credential, change).catch(
          (error: unknown) =>
            this.logger.warn(`access of WebSocket ${connection.id} not checked: ${errorMessage(error)}`),
        );
    }
  }

  /**
   * Resolves the connection's credential again. Gone (disabled, deleted, signed out, revoked, expired):
   * close 4401. A lower role (a demoted user, a key whose creator was demoted): drop the topics it may
   * no longer read, say so, and close 4403 so the client signs in again with what it now holds.
   */
  private async recheck(
    connection: Connection,
    before: Principal,
    credential: string,
    change?: AccessChangedEvent,
  ): Promise<void> {
    const now = await this.principals.resolveToken(credential);
    // Closed meanwhile, or signed in again with another credential: nothing to do.
    if (connection.socket.readyState !== 1 || connection.credential !== credential) return;
    const demotedTo =
      now === undefined
        ? before.kind === 'user' && change?.userId === before.id && change.role !== undefined
          ? change.role
          : undefined
        : now.role;
    if (demotedTo !== undefined && roleRank(demotedTo) < roleRank(before.role)) {
      const dropped = this.hub.dropTopicsAbove(connection, demotedTo);
      this.hub.sendTo(connection, {
        type: 'unsubscribed',
        data: { topics: dropped, reason: 'role lowered' },
      });
      this.closeConnection(connection, CLOSE_FORBIDDEN, `role lowered to ${demotedTo}`);
    } else if (now === undefined) {
      this.closeConnection(connection, CLOSE_UNAUTHENTICATED, 'access ended');
    } else if (now.role !== before.role || now.permissions.join() !== before.permissions.join()) {
      connection.principal = now;
    }
  }

  private closeConnection(connection: Connection, code: number, reason: string): void {
    connection.principal = undefined;
    connection.credential = undefined;
    this.hub.remove(connection.socket);
    connection.socket.close(code, reason);
  }

  /** The connection when its message is within the rate limit. */
  private admitted(socket: WebSocket): Connection | undefined {
    const connection = this.hub.get(socket);
    if (!connection) return undefined;
    if (!this.hub.admit(connection)) {
      this.error(
        connection,
        'RATE_LIMITED',
        `at most ${this.config.realtime.messagesPer10s} messages per 10 s`,
      );
      return undefined;
    }
    return connection;
  }

  private authenticated(socket: WebSocket): Connection | undefined {
    const connection = this.admitted(socket);
    if (!connection) return undefined;
    if (!connection.principal) {
      this.error(connection, 'AUTHENTICATION_ERROR', 'authenticate first: {"type": "auth", "token": "..."}');
      return undefined;
    }
    return connection;
  }

  /** The authenticated connection and the valid topics of a subscribe or unsubscribe, else an error reply. */
  private async topicRequest(
    socket: WebSocket,
    message: Record<string, unknown>,
  ): Promise<{ connection: Connection; topics: string[] } | undefined> {
    // A client may send this right after connecting with ?token=: the answer waits for the check.
    await this.hub.get(socket)?.authenticating;
    const connection = this.authenticated(socket);
    if (!connection) return undefined;
    const topics = this.topicsOf(connection, message);
    return topics ? { connection, topics } : undefined;
  }

  private topicsOf(connection: Connection, message: Record<string, unknown>): string[] | undefined {
    const topics = message.topics;
    if (
      !Array.isArray(topics) ||
      topics.length === 0 ||
      topics.length > MAX_TOPICS_PER_MESSAGE ||
      !topics.every((topic) => typeof topic === 'string' && topic.length > 0 && topic.length <= 64)
    ) {
      this.error(connection, 'VALIDATION_ERROR', `topics must be 1 to ${MAX_TOPICS_PER_MESSAGE} topic names`);
      return undefined;
    }
    return topics as string[];
  }

  private error(connection: Connection, code: string, message: string): void {
    this.hub.sendTo(connection, { type: 'error', data: { code, message } });
  }

  /** HEARTBEAT to every authenticated client, with its last measured round trip; then a new ping. */
  private heartbeat(): void {
    const now = this.clock.nowMs();
    for (const connection of this.hub.all()) {
      if (!connection.principal || connection.socket.readyState !== 1) continue;
      this.hub.sendTo(connection, {
        type: 'HEARTBEAT',
        topic: 'system_status',
        data: { serverTime: new Date(now).toISOString(), latencyMs: connection.latencyMs },
      });
      connection.pingSentAt = now;
      connection.socket.ping();
    }
  }
}
