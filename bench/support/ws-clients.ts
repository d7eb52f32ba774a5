/**
 * Opens many WebSocket clients in this process (so their CPU is not the server's), optionally
 * subscribes each to a topic, and counts messages. Driven over IPC by bench/websocket.ts:
 *   {open: {url, count, subscribe?}} -> {ready}
 *   {expect: n}                      -> {armed}, then {done, ms} once every client has n more messages.
 */
import WebSocket from 'ws';

interface Command {
  open?: { url: string; count: number; subscribe?: string };
  expect?: number;
}

const clients: Array<{ socket: WebSocket; received: number }> = [];
let target = 0;
let startedAt = 0;

function checkDone(): void {
  if (target === 0) return;
  if (clients.every((client) => client.received >= target)) {
    const ms = Date.now() - startedAt;
    target = 0;
    process.send?.({ done: true, ms });
  }
}

async function open(url: string, count: number, subscribe?: string): Promise<void> {
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const socket = new WebSocket(url);
    const client = { socket, received: 0 };
    clients.push(client);
    pending.push(
      new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.on('message', (data: Buffer) => {
          const text = data.toString();
          if (text.includes('"subscribed"') || text.includes('"authenticated"')) {
            if (!subscribe || text.includes('"subscribed"')) resolve();
            else if (text.includes('"authenticated"'))
              socket.send(JSON.stringify({ type: 'subscribe', topics: [subscribe] }));
            return;
          }
          if (text.includes('"HEARTBEAT"')) return;
          client.received++;
          checkDone();
        });
        socket.once('open', () => {
          if (!url.includes('token=')) resolve();
        });
      }),
    );
    // Do not open thousands of handshakes at one instant.
    if (i % 200 === 199) await Promise.all(pending.slice(-200));
  }
  await Promise.all(pending);
}

process.on('message', (command: Command) => {
  if (command.open) {
    open(command.open.url, command.open.count, command.open.subscribe).then(
      () => process.send?.({ ready: true }),
      (error: unknown) => process.send?.({ error: String(error) }),
    );
  } else if (command.expect !== undefined) {
    for (const client of clients) client.received = 0;
    target = command.expect;
    startedAt = Date.now();
    process.send?.({ armed: true });
  }
});
process.on('disconnect', () => process.exit(0));
