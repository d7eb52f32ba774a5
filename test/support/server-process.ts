import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * Runs src/main.ts (or another entry, such as a test server wired to a fake exchange) in its own
 * Node process, the way `npm start` runs the build.
 */
export function spawnServer(
  env: Record<string, string>,
  entry = path.join(ROOT, 'src', 'main.ts'),
): ServerProcess {
  let out = '';
  let err = '';
  const child = spawn(process.execPath, ['-r', '@swc-node/register', entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PASSWORD_HASH_COST: '10',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls a URL until it answers with the status, or fails after the deadline. */
export async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last = 'no answer';
  while (Date.now() - started < timeoutMs) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status === status) return Date.now() - started;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

/** Waits until the text appears in a process's output. */
export async function waitForOutput(output: () => string, text: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!output().includes(text)) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`"${text}" did not appear in the output within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A port no one listens on, for a server process to take. Each Jest worker draws from its own range
 * (below the ephemeral ports of outgoing connections): two workers could otherwise be handed the same
 * free port by the system, and one's server would answer the other's test.
 */
export async function freePort(): Promise<number> {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const base = 10_000 + (worker % 8) * PORTS_PER_WORKER;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = base + Math.floor(Math.random() * PORTS_PER_WORKER);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in ${base}-${base + PORTS_PER_WORKER - 1}`);
}
const PORTS_PER_WORKER = 2_500;

async function isFree(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A JSON request to a server process by URL (`init.body` already a string); the answer's JSON body,
 * or {} when empty. Gives up after `timeoutMs`, so a request to a server that went away cannot hang.
 */
export async function requestJson<T>(
  url: string,
  init: RequestInit & { token?: string; timeoutMs?: number } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(url, {
    ...init,
    headers,
    signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}
