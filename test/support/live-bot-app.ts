import { Role } from '../../src/platform/access/role';
import { call, createKey, loginAdmin } from './auth-client';
import type { FakeBinance } from './fake-exchange/fake-binance';
import type { ManualClock } from './manual-clock';
import { startTestApp, TestApp } from './test-app';

export interface LiveBotApp {
  t: TestApp;
  adminKey: string;
  trader: string;
  reader: string;
  /** The exchange account on the fake Binance. */
  accountId: string;
}

/**
 * The app on a clock the test moves, with an exchange account on a fake Binance (reached through
 * ccxt) and ADMIN, CONTROL and READ_ONLY API keys: keys, not sessions, since simulated hours pass and
 * sessions expire by the simulated clock.
 */
export async function startLiveBotApp(
  fake: FakeBinance,
  secret: string,
  clock: ManualClock,
  more: { env?: Record<string, string>; streams?: boolean } = {},
): Promise<LiveBotApp> {
  const t = await startTestApp(
    {
      RATE_LIMIT_ADMIN: '100000',
      RATE_LIMIT_CONTROL: '100000',
      RATE_LIMIT_READ_ONLY: '100000',
      ...more.env,
    },
    {
      clock,
      exchange: {
        redirectApiTo: { binance: fake.baseUrl },
        rateLimitMs: 1,
        // Generous: on a loaded 2-core machine the in-process fake can take over a second to answer;
        // these tests inject their failures as answers, never as timeouts.
        timeoutMs: 5000,
        retry: { attempts: 2, baseDelayMs: 1 },
        // Kline and order streams only where the test drives the fake's WebSocket side.
        streams: more.streams ?? false,
      },
    },
  );
  const admin = (await loginAdmin(t)).accessToken;
  const keyOf = async (name: string, role: Role) =>
    (await createKey(t, admin, { name, permissions: [role] })).apiKey;
  const adminKey = await keyOf('admin', Role.ADMIN);
  const trader = await keyOf('trader', Role.CONTROL);
  const reader = await keyOf('reader', Role.READ_ONLY);
  const account = await call<{ id: string }>(t, 'POST', '/api/exchanges/accounts', {
    token: adminKey,
    body: { exchangeId: 'binance', label: 'live bots', apiKey: fake.apiKey, secret },
  });
  if (account.status !== 201) throw new Error(`exchange account answered ${account.status}`);
  return { t, adminKey, trader, reader, accountId: account.body.id };
}
