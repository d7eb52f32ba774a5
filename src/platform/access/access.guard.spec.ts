import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { ApiError } from '../http/api-error';
import { Auth, Public, PublicWhen } from './access.decorators';
import { AccessGuard } from './access.guard';
import { Principal, PrincipalResolver } from './principal';
import { Role } from './role';

@Controller()
class SampleController {
  @Get() @Public() open(): void {}
  @Get() unmarked(): void {}
  @Get() @Auth(Role.CONTROL) control(): void {}
  @Get() @Auth(Role.READ_ONLY) @PublicWhen((config) => config.metricsPublic) metrics(): void {}
}

function contextFor(
  handler: keyof SampleController,
  request: Partial<FastifyRequest> = {},
): ExecutionContext {
  return {
    getType: () => 'http',
    getHandler: () => SampleController.prototype[handler],
    getClass: () => SampleController,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

const config = (metricsPublic: boolean) => ({ metricsPublic }) as AppConfig;

function resolverFor(principal: Principal | undefined): PrincipalResolver {
  return { resolve: () => Promise.resolve(principal) };
}

async function statusOf(promise: Promise<boolean>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as ApiError).getStatus();
  }
}

describe('AccessGuard', () => {
  const reflector = new Reflector();
  const reader: Principal = { kind: 'user', id: 'u1', name: 'reader', role: Role.READ_ONLY };
  const operator: Principal = { kind: 'user', id: 'u2', name: 'op', role: Role.CONTROL };
  const admin: Principal = { kind: 'apiKey', id: 'k1', name: 'key', role: Role.ADMIN };

  it('lets anyone call a public route', async () => {
    expect(await statusOf(new AccessGuard(reflector, config(false)).canActivate(contextFor('open')))).toBe(
      200,
    );
  });

  it('closes a route that declares no access rule, even to an admin', async () => {
    const guard = new AccessGuard(reflector, config(false), resolverFor(admin));
    expect(await statusOf(guard.canActivate(contextFor('unmarked')))).toBe(403);
  });

  it('answers 401 without a principal and 403 when the role is too low', async () => {
    expect(await statusOf(new AccessGuard(reflector, config(false)).canActivate(contextFor('control')))).toBe(
      401,
    );
    expect(
      await statusOf(
        new AccessGuard(reflector, config(false), resolverFor(undefined)).canActivate(contextFor('control')),
      ),
    ).toBe(401);
    expect(
      await statusOf(
        new AccessGuard(reflector, config(false), resolverFor(reader)).canActivate(contextFor('control')),
      ),
    ).toBe(403);
  });

  it('admits a role at or above the required one and attaches the principal', async () => {
    const request: Partial<FastifyRequest> = {};
    expect(
      await statusOf(
        new AccessGuard(reflector, config(false), resolverFor(operator)).canActivate(
          contextFor('control', request),
        ),
      ),
    ).toBe(200);
    expect(request.principal).toBe(operator);
    expect(
      await statusOf(
        new AccessGuard(reflector, config(false), resolverFor(admin)).canActivate(contextFor('control')),
      ),
    ).toBe(200);
  });

  it('opens a @PublicWhen route only when the setting says so', async () => {
    expect(await statusOf(new AccessGuard(reflector, config(false)).canActivate(contextFor('metrics')))).toBe(
      401,
    );
    expect(await statusOf(new AccessGuard(reflector, config(true)).canActivate(contextFor('metrics')))).toBe(
      200,
    );
  });
});
