import 'reflect-metadata';
import { serve } from '../../src/server';
import { ScaledClock } from './scaled-clock';

/**
 * The server as `npm start` runs it, with what the crash tests need that no product setting gives:
 * exchange accounts pointed at a fake exchange (TP_FAKE_BINANCE_URL) and time running faster than
 * real time (TP_CLOCK_SPEED times, from TP_CLOCK_ORIGIN in epoch ms). Not a product entry point.
 */
const fakeBinance = process.env.TP_FAKE_BINANCE_URL;
const clockSpeed = Number(process.env.TP_CLOCK_SPEED ?? '1');
serve({
  exchange: fakeBinance
    ? {
        redirectApiTo: { binance: fakeBinance },
        rateLimitMs: 1,
        timeoutMs: 2000,
        retry: { attempts: 2, baseDelayMs: 10 },
      }
    : {},
  ...(clockSpeed !== 1 ? { clock: new ScaledClock(Number(process.env.TP_CLOCK_ORIGIN), clockSpeed) } : {}),
});
