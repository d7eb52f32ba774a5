import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { errorMessage } from '../errors/error-message';

/** How long a lost listening connection waits before it connects again. */
const RECONNECT_MS = 2000;

/**
 * A PostgreSQL connection of its own that LISTENs on a channel and calls `onNotify` for each
 * NOTIFY (from any instance), and `onReconnect` after it lost and regained the connection (notices
 * sent meanwhile are gone: the caller reads the state again).
 */
export class PgListener {
  private readonly logger = new Logger('PgListener');
  private client: Client | null = null;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly onNotify: (payload: string | undefined) => void,
    private readonly onReconnect: () => void,
  ) {}

  async start(): Promise<void> {
    const client = new Client({
      connectionString: this.connectionString,
      application_name: `listen:${this.channel}`,
    });
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.onNotify(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      if (this.stopped) {
        // Stopped while connecting: this connection must not outlive the application.
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
    } catch (error) {
      this.lost(client, error);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private lost(client: Client, error: unknown): void {
    if (this.stopped || (this.client !== null && this.client !== client)) return;
    this.client = null;
    client.removeAllListeners();
    // A late error of the discarded connection must not become an uncaught exception.
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    this.logger.warn(
      `listening on ${this.channel} lost (${errorMessage(error)}); trying again in ${RECONNECT_MS} ms`,
    );
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      void this.start().then(() => {
        if (this.client) this.onReconnect();
      });
    }, RECONNECT_MS);
    this.retry.unref();
  }
}
