import { request } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { freePort, ServerProcess, spawnServer, waitForOutput, waitForStatus } from './support/server-process';

jest.setTimeout(90_000);

describe('the server process', () => {
  it('exits 1 with one line naming PORT when PORT=abc', async () => {
    const server = spawnServer({ PORT: 'abc' });
    expect(await server.exited).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('PORT');
    expect(lines[0]).toContain('whole number');
    expect(server.stdout()).toBe('');
  });

  describe('with a database', () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(async () => {
      await database?.drop();
    });

    function env(port: number, dataDir: string): Record<string, string> {
      return {
        PORT: String(port),
        DATA_DIR: dataDir,
        // No market history: a 30-day backfill would run beside the rest of the suite for nothing here.
        MARKET_BACKFILL_DAYS: '0',
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      };
    }

    /**
     * A request whose body is still arriving when SIGTERM comes: it is answered (its request id in the
     * debug log proves it was in flight), its connection closes after the answer, the process exits 0.
     */
    async function stopWithRequestInFlight(server: ServerProcess, port: number): Promise<void> {
      const requestId = `in-flight-${Date.now()}`;
      let connection: string | undefined;
      const answered = new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/health/live',
            headers: {
              'content-type': 'application/json',
              'content-length': '11',
              'x-request-id': requestId,
            },
          },
          (res) => {
            res.resume();
            // Closing the connection after the answer: a kept-alive socket would hold the stop.
            connection = res.headers.connection;
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.write('{"half":');
        void waitForOutput(() => server.stdout(), requestId, 10_000).then(() => {
          server.child.kill('SIGTERM');
          setTimeout(() => req.end('12}'), 500);
        }, reject);
      });
      expect(await answered).toBe(405);
      expect(connection).toBe('close');
      expect(await server.exited).toBe(0);
      expect(server.stdout()).toContain('SIGTERM received');
    }

    // Start-up time is not asserted (the suite loads the machine); the deadlines only stop a hang.
    it('starts cold on an absent data folder, again after a restart with its data kept, and on SIGTERM finishes the request in flight, then exits 0', async () => {
      const dataDir = path.join(database.dataDir, 'fresh');
      const port = await freePort();
      const first = spawnServer(env(port, dataDir));
      try {
        await waitForStatus(`http://127.0.0.1:${port}/api/health`, 200, 60_000);
        expect(existsSync(path.join(dataDir, 'secrets.json'))).toBe(true);
        // The embedded database lives in the data folder; with DATABASE_URL nothing is made there.
        expect(existsSync(path.join(dataDir, 'pglite'))).toBe(database.databaseUrl === undefined);
      } finally {
        first.child.kill('SIGTERM');
      }
      expect(await first.exited).toBe(0);
      const secrets = readFileSync(path.join(dataDir, 'secrets.json'), 'utf8');
      const { jwtSecret } = JSON.parse(secrets) as { jwtSecret: string };
      expect(first.stdout() + first.stderr()).not.toContain(jwtSecret);
      // A cold PGlite folder is migrated at start; the PostgreSQL test database is a migrated copy.
      expect(first.stdout().includes('has been executed successfully')).toBe(
        database.databaseUrl === undefined,
      );

      // Debug level logs "incoming request" with the request id: the proof a request is in flight.
      const second = spawnServer({ ...env(port, dataDir), LOG_LEVEL: 'debug' });
      try {
        await waitForStatus(`http://127.0.0.1:${port}/api/health`, 200, 60_000);
        expect(second.stdout()).toContain('listening on');
        expect(second.stdout()).not.toContain('has been executed successfully');
        expect(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')).toBe(secrets);
        await stopWithRequestInFlight(second, port);
      } finally {
        if (second.child.exitCode === null) second.child.kill('SIGTERM');
      }
    }, 150_000);
  });
});
