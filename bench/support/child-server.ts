import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

export interface ChildServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts a bench/support/*-server.ts script in its own process and waits for the port it prints. */
export async function startChildServer(
  script: string,
  env: Record<string, string> = {},
): Promise<ChildServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(__dirname, '..', script)],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /^LISTENING (\S+)$/m.exec(buffered);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
