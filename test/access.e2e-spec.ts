import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from '../src/platform/access/access.decorators';
import { startTestApp, TestApp } from './support/test-app';

interface RouteAccess {
  route: string;
  access: 'public' | 'role' | 'none';
}

/** Every HTTP handler of every controller, with the access marker it carries. */
function registeredRoutes(t: TestApp): RouteAccess[] {
  const routes: RouteAccess[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const isPublic =
          Reflect.getMetadata(PUBLIC_ROUTE, handler) ?? Reflect.getMetadata(PUBLIC_ROUTE, controller);
        const role =
          Reflect.getMetadata(REQUIRED_ROLE, handler) ?? Reflect.getMetadata(REQUIRED_ROLE, controller);
        routes.push({
          route: `${method} ${controller.name}.${name}`,
          access: isPublic ? 'public' : role ? 'role' : 'none',
        });
      }
    }
  }
  return routes;
}

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
      .map((route) => route.route)
      .sort();
    expect(publicRoutes).toEqual([
      'GET HealthController.check',
      'GET HealthController.live',
      'GET HealthController.ready',
      'POST AuthController.login',
      'POST AuthController.refresh',
    ]);
  });
});
