import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from '../../src/platform/access/access.decorators';
import { Role } from '../../src/platform/access/role';
import { TestApp } from './test-app';

export interface RegisteredRoute {
  /** e.g. "GET /api/users/:id" */
  route: string;
  method: string;
  path: string;
  handler: string;
  access: 'public' | Role | 'none';
}

function joinPath(...parts: string[]): string {
  return (
    '/' +
    parts
      .map((part) => part.replace(/^\/+|\/+$/g, ''))
      .filter(Boolean)
      .join('/')
  );
}

/** Every HTTP handler of every controller of the running app, with its full path and access marker. */
export function registeredRoutes(t: TestApp): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const controllerPath = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const handlerPath = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (handlerPath === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const path = joinPath('api', controllerPath, handlerPath);
        const isPublic =
          Reflect.getMetadata(PUBLIC_ROUTE, handler) ?? Reflect.getMetadata(PUBLIC_ROUTE, controller);
        const role = (Reflect.getMetadata(REQUIRED_ROLE, handler) ??
          Reflect.getMetadata(REQUIRED_ROLE, controller)) as Role | undefined;
        routes.push({
          route: `${method} ${path}`,
          method,
          path,
          handler: `${controller.name}.${name}`,
          access: isPublic ? 'public' : (role ?? 'none'),
        });
      }
    }
  }
  return routes.sort((a, b) => a.route.localeCompare(b.route));
}
