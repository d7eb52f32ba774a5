import { registeredRoutes } from './support/routes';
import { startTestApp, TestApp } from './support/test-app';

describe('default-deny access', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('every registered route is marked @Public() or @Auth(role)', () => {
    const routes = registeredRoutes(t);
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(routes.filter((route) => route.access === 'none').map((route) => route.route)).toEqual([]);
  });

  it('the only public routes are the ones meant to be public', () => {
    const publicRoutes = registeredRoutes(t)
      .filter((route) => route.access === 'public')
      .map((route) => route.route);
    expect(publicRoutes).toEqual([
      'GET /api/health',
      'GET /api/health/live',
      'GET /api/health/ready',
      'POST /api/auth/login',
      'POST /api/auth/refresh',
    ]);
  });
});
