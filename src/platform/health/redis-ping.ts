import { connect } from 'node:net';

/**
 * Sends one RESP PING (after AUTH when the URL has a password) and resolves true on +PONG. Enough to
 * report Redis in health without a client library; the rate-limit store will bring a real client.
 */
export function pingRedis(redisUrl: string, timeoutMs = 1000): Promise<boolean> {
  const url = new URL(redisUrl);
  const command = (...args: string[]) =>
    `*${args.length}\r\n` + args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('');
  const password = decodeURIComponent(url.password);
  const user = decodeURIComponent(url.username);
  const auth = password ? (user ? command('AUTH', user, password) : command('AUTH', password)) : '';
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 6379) });
    let answer = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write(auth + command('PING')));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('-')) finish(false);
      else if (answer.includes('+PONG')) finish(true);
    });
  });
}
