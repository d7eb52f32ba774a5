import { randomUUID } from 'node:crypto';
import { Role, roleSatisfies } from '../../src/platform/access/role';
import { call, craftToken, createKey, createUser, loginAdmin } from '../support/auth-client';
import { registeredRoutes } from '../support/routes';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The access rule of every route. A route added without a row here fails the first test; a row whose
 * rule the code does not enforce fails the second.
 */
const MATRIX: Record<string, 'public' | Role> = {
  'GET /api/health': 'public',
  'GET /api/health/live': 'public',
  'GET /api/health/ready': 'public',
  // Public, but it acts only for a valid signal token (a bad one is a 404).
  'POST /api/signals/:token': 'public',
  'GET /api/metrics': Role.READ_ONLY,
  'GET /api/metrics/trading': Role.READ_ONLY,
  'GET /api/metrics/ml': Role.READ_ONLY,
  'GET /api/metrics/system': Role.READ_ONLY,
  'GET /api/metrics/summary': Role.READ_ONLY,
  'GET /api/metrics/performance': Role.READ_ONLY,
  'GET /api/metrics/health': Role.READ_ONLY,
  'GET /api/metrics/history': Role.READ_ONLY,
  'GET /api/status': Role.READ_ONLY,
  'POST /api/auth/login': 'public',
  'POST /api/auth/refresh': 'public',
  'GET /api/auth/me': Role.READ_ONLY,
  'POST /api/auth/logout': Role.READ_ONLY,
  'GET /api/users': Role.ADMIN,
  'POST /api/users': Role.ADMIN,
  'GET /api/users/:id': Role.ADMIN,
  'PATCH /api/users/:id': Role.ADMIN,
  'DELETE /api/users/:id': Role.ADMIN,
  'GET /api/keys': Role.ADMIN,
  'POST /api/keys': Role.SUPER_ADMIN,
  'GET /api/keys/:id': Role.ADMIN,
  'PATCH /api/keys/:id': Role.ADMIN,
  'DELETE /api/keys/:id': Role.ADMIN,
  'POST /api/keys/:id/rotate': Role.SUPER_ADMIN,
  'GET /api/audit': Role.ADMIN,
  'GET /api/alerts': Role.READ_ONLY,
  'GET /api/alerts/:id': Role.READ_ONLY,
  'POST /api/alerts/:id/acknowledge': Role.CONTROL,
  'POST /api/alerts/:id/resolve': Role.CONTROL,
  'GET /api/alerts/rules': Role.READ_ONLY,
  'PUT /api/alerts/rules': Role.ADMIN,
  'POST /api/alerts/silences': Role.CONTROL,
  'GET /api/alerts/silences': Role.READ_ONLY,
  'DELETE /api/alerts/silences/:id': Role.CONTROL,
  'POST /api/webhooks': Role.ADMIN,
  'GET /api/webhooks': Role.ADMIN,
  'GET /api/webhooks/:id': Role.ADMIN,
  'PATCH /api/webhooks/:id': Role.ADMIN,
  'DELETE /api/webhooks/:id': Role.ADMIN,
  'GET /api/webhooks/:id/deliveries': Role.ADMIN,
  'POST /api/webhooks/:id/test': Role.ADMIN,
  'POST /api/webhooks/deliveries/:id/redeliver': Role.ADMIN,
  'GET /api/dca/plan': Role.READ_ONLY,
  'GET /api/dca/status': Role.READ_ONLY,
  'POST /api/dca/execute': Role.CONTROL,
  'GET /api/dca/history': Role.READ_ONLY,
  'GET /api/dca/deals': Role.READ_ONLY,
  'POST /api/dca/deals': Role.CONTROL,
  'GET /api/dca/deals/:id': Role.READ_ONLY,
  'POST /api/dca/deals/:id/update-take-profit': Role.CONTROL,
  'POST /api/dca/deals/:id/add-funds': Role.CONTROL,
  'POST /api/dca/deals/:id/cancel': Role.CONTROL,
  'POST /api/dca/deals/:id/panic-sell': Role.CONTROL,
  'GET /api/config': Role.READ_ONLY,
  'PUT /api/config': Role.ADMIN,
  'POST /api/config': Role.ADMIN,
  'GET /api/config/history': Role.ADMIN,
  'POST /api/config/rollback': Role.ADMIN,
  'GET /api/analytics/market': Role.READ_ONLY,
  'GET /api/analytics/equity': Role.READ_ONLY,
  'GET /api/analytics/performance': Role.READ_ONLY,
  'GET /api/analytics/risk': Role.READ_ONLY,
  'GET /api/analytics/fibonacci': Role.READ_ONLY,
  'GET /api/analytics/bio-energy': Role.READ_ONLY,
  'GET /api/ml/models': Role.READ_ONLY,
  'GET /api/ml/models/:id': Role.READ_ONLY,
  'POST /api/ml/models/:id/activate': Role.ADMIN,
  'POST /api/ml/retrain': Role.ADMIN,
  'POST /api/bots/:id/signal-token': Role.CONTROL,
  'DELETE /api/bots/:id/signal-token': Role.CONTROL,
  'GET /api/bots/:id/signals': Role.READ_ONLY,
  'GET /api/ml/performance': Role.READ_ONLY,
  'GET /api/ml/predictions': Role.READ_ONLY,
  'GET /api/orderbook/:symbol': Role.READ_ONLY,
  'GET /api/exchanges': Role.READ_ONLY,
  'GET /api/balances': Role.READ_ONLY,
  'GET /api/exchanges/accounts': Role.ADMIN,
  'GET /api/integrations/3commas/accounts': Role.ADMIN,
  'POST /api/integrations/3commas/accounts': Role.ADMIN,
  'DELETE /api/integrations/3commas/accounts/:id': Role.ADMIN,
  'GET /api/integrations/3commas/health': Role.READ_ONLY,
  'GET /api/integrations/3commas/bots': Role.READ_ONLY,
  'GET /api/integrations/3commas/deals': Role.READ_ONLY,
  'POST /api/integrations/3commas/bots/:id/enable': Role.CONTROL,
  'POST /api/integrations/3commas/bots/:id/disable': Role.CONTROL,
  'POST /api/integrations/3commas/bots/:id/start-new-deal': Role.CONTROL,
  'POST /api/integrations/3commas/bots/:id/panic-sell-all': Role.CONTROL,
  'POST /api/sync': Role.ADMIN,
  'GET /api/sync': Role.ADMIN,
  'GET /api/sync/runs/:id': Role.ADMIN,
  'GET /api/sync/accounts/:id/snapshot': Role.ADMIN,
  'GET /api/sync/accounts/:id/trades': Role.ADMIN,
  'POST /api/exchanges/accounts': Role.ADMIN,
  'DELETE /api/exchanges/accounts/:id': Role.ADMIN,
  'GET /api/exchanges/accounts/:id/health': Role.READ_ONLY,
  'GET /api/strategies': Role.READ_ONLY,
  'POST /api/strategies/:name/signal': Role.READ_ONLY,
  'GET /api/presets': Role.READ_ONLY,
  'GET /api/presets/:name': Role.READ_ONLY,
  'POST /api/presets': Role.ADMIN,
  'PUT /api/presets/:name': Role.ADMIN,
  'DELETE /api/presets/:name': Role.ADMIN,
  'POST /api/scanner/scan': Role.CONTROL,
  'GET /api/scanner/status': Role.READ_ONLY,
  'GET /api/engine/status': Role.READ_ONLY,
  'GET /api/engine/metrics': Role.READ_ONLY,
  'POST /api/engine/start': Role.CONTROL,
  'POST /api/engine/stop': Role.CONTROL,
  'POST /api/engine/command': Role.CONTROL,
  'GET /api/bots': Role.READ_ONLY,
  'POST /api/bots': Role.CONTROL,
  'GET /api/bots/:id': Role.READ_ONLY,
  'POST /api/bots/:id/command': Role.CONTROL,
  'POST /api/backtests': Role.CONTROL,
  'GET /api/backtests/:id': Role.READ_ONLY,
  'POST /api/backtests/:id/cancel': Role.CONTROL,
  'GET /api/jobs': Role.ADMIN,
  // A CONTROL caller may see and cancel backtest jobs (others answer 404 to it; test/jobs.e2e-spec.ts).
  'GET /api/jobs/:id': Role.CONTROL,
  'POST /api/jobs/:id/cancel': Role.CONTROL,
  'GET /api/positions/history': Role.READ_ONLY,
  'POST /api/positions/history': Role.CONTROL,
  'GET /api/trades/active': Role.READ_ONLY,
  'GET /api/trades/history': Role.READ_ONLY,
  'GET /api/trades/:id': Role.READ_ONLY,
  'POST /api/trades': Role.CONTROL,
  'PATCH /api/trades/:id': Role.CONTROL,
  'POST /api/trades/:id/close': Role.CONTROL,
  'GET /api/positions': Role.READ_ONLY,
  'POST /api/positions/:id/close': Role.CONTROL,
  'GET /api/trading/status': Role.READ_ONLY,
  'GET /api/websocket/stats': Role.READ_ONLY,
  'POST /api/orders': Role.CONTROL,
  'GET /api/orders': Role.READ_ONLY,
  'GET /api/orders/:id': Role.READ_ONLY,
  'DELETE /api/orders/:id': Role.CONTROL,
};

/** Routes every signed-in principal may call that change only the caller's own session. */
const SELF_SERVICE = new Set(['POST /api/auth/logout']);

type Credential = { token?: string; apiKey?: string };
interface Caller {
  name: string;
  credential: Credential;
  /** undefined: not authenticated at all. */
  role?: Role;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

describe('authorization matrix', () => {
  let t: TestApp;
  let callers: Caller[];

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_ANONYMOUS: '100000',
      RATE_LIMIT_READ_ONLY: '100000',
      RATE_LIMIT_CONTROL: '100000',
      RATE_LIMIT_ADMIN: '100000',
      RATE_LIMIT_KEY_CREATION: '100000',
    });
    const admin = (await loginAdmin(t)).accessToken;
    const [readOnly, control, adminUser, disabled] = await Promise.all([
      createUser(t, admin, Role.READ_ONLY),
      createUser(t, admin, Role.CONTROL),
      createUser(t, admin, Role.ADMIN),
      createUser(t, admin, Role.CONTROL),
    ]);
    expect(
      (await call(t, 'PATCH', `/api/users/${disabled.id}`, { token: admin, body: { enabled: false } }))
        .status,
    ).toBe(200);
    // Keys of SUPER_ADMINs who were then disabled, demoted or deleted: a key holds no more than its creator.
    const [disabledCreator, demotedCreator, deletedCreator] = await Promise.all([
      createUser(t, admin, Role.SUPER_ADMIN),
      createUser(t, admin, Role.SUPER_ADMIN),
      createUser(t, admin, Role.SUPER_ADMIN),
    ]);
    const [keyOfDisabled, keyOfDemoted, keyOfDeleted] = await Promise.all(
      [disabledCreator, demotedCreator, deletedCreator].map((creator) =>
        createKey(t, creator.token, { name: `key of ${creator.username}`, permissions: ['SUPER_ADMIN'] }),
      ),
    );
    const changes = [
      call(t, 'PATCH', `/api/users/${disabledCreator.id}`, { token: admin, body: { enabled: false } }),
      call(t, 'PATCH', `/api/users/${demotedCreator.id}`, { token: admin, body: { role: 'READ_ONLY' } }),
      call(t, 'DELETE', `/api/users/${deletedCreator.id}`, { token: admin }),
    ];
    expect((await Promise.all(changes)).map((response) => response.status)).toEqual([200, 200, 200]);
    const revoked = await createKey(t, admin, { name: 'revoked', permissions: ['SUPER_ADMIN'] });
    expect((await call(t, 'DELETE', `/api/keys/${revoked.keyId}`, { token: admin })).status).toBe(200);
    const me = await call<{ id: string }>(t, 'GET', '/api/auth/me', { token: admin });
    const now = Math.floor(Date.now() / 1000);
    const expired = craftToken(t.config.jwtSecret, { sub: me.body.id, iat: now - 3600, exp: now - 60 });
    callers = [
      { name: 'anonymous', credential: {} },
      { name: 'READ_ONLY', credential: { token: readOnly.token }, role: Role.READ_ONLY },
      { name: 'CONTROL', credential: { token: control.token }, role: Role.CONTROL },
      { name: 'ADMIN', credential: { token: adminUser.token }, role: Role.ADMIN },
      { name: 'SUPER_ADMIN', credential: { token: admin }, role: Role.SUPER_ADMIN },
      { name: 'expired token', credential: { token: expired } },
      { name: 'revoked key', credential: { apiKey: revoked.apiKey } },
      { name: 'disabled user', credential: { token: disabled.token } },
      { name: 'key of a disabled creator', credential: { apiKey: keyOfDisabled.apiKey } },
      {
        name: 'key of a creator demoted to READ_ONLY',
        credential: { apiKey: keyOfDemoted.apiKey },
        role: Role.READ_ONLY,
      },
      { name: 'key of a deleted creator', credential: { apiKey: keyOfDeleted.apiKey } },
    ];
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has exactly one row per registered route', () => {
    expect(registeredRoutes(t).map((route) => route.route)).toEqual(Object.keys(MATRIX).sort());
  });

  it('every route x caller answers as its rule says', async () => {
    // Sign-out ends the caller's session, so it goes last.
    const routes = Object.keys(MATRIX).sort(
      (a, b) => Number(SELF_SERVICE.has(a)) - Number(SELF_SERVICE.has(b)),
    );
    const mismatches: string[] = [];
    for (const route of routes) {
      const rule = MATRIX[route];
      const [method, pattern] = route.split(' ');
      const path = pattern.replace(':id', randomUUID());
      for (const caller of callers) {
        const response = await call(t, method, path, {
          ...caller.credential,
          body: MUTATING.has(method) ? {} : undefined,
        });
        const expected =
          rule === 'public'
            ? 'allowed'
            : caller.role === undefined
              ? 401
              : roleSatisfies(caller.role, rule)
                ? 'allowed'
                : 403;
        const actual =
          response.status === 401 || response.status === 403
            ? response.status
            : response.status >= 500
              ? 500
              : 'allowed';
        if (actual !== expected)
          mismatches.push(`${route} as ${caller.name}: expected ${expected}, got ${response.status}`);
        if (
          caller.role === Role.READ_ONLY &&
          MUTATING.has(method) &&
          rule !== 'public' &&
          !SELF_SERVICE.has(route) &&
          response.status < 300
        ) {
          mismatches.push(
            `${route} as READ_ONLY answered ${response.status}: READ_ONLY must never change anything`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
