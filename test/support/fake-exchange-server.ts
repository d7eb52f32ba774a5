import 'reflect-metadata';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/platform/config/load-config';

/**
 * The application in its own process with its exchange accounts pointed at a fake exchange
 * (TP_FAKE_BINANCE_URL): what the crash tests kill and restart. Not a product entry point.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const fakeBinance = process.env.TP_FAKE_BINANCE_URL;
  const app = await createApp(config, {
    exchange: fakeBinance
      ? { redirectApiTo: { binance: fakeBinance }, timeoutMs: 2000, retry: { attempts: 2, baseDelayMs: 10 } }
      : {},
  });
  await app.listen({ port: config.port, host: config.host });
  process.stdout.write(`listening on ${config.port}\n`);
  process.on('SIGTERM', () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${String(error)}\n`);
  process.exit(1);
});
