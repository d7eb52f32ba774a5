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

const withToken = (): Partial<FastifyRequest> => ({ headers: { authorization: 'Bearer some-token' } });

function contextFor(
  handler: keyof SampleController,
  request: Partial<FastifyRequest> = withToken(),
): ExecutionContext {
  return {
    getType: () => 'http',
    getHandler: () => SampleController.prototype[handler],
    getClass: () => SampleController,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
  } as unknown as ExecutionContext;
}

function resolverFor(principal: Principal | undefined): PrincipalResolver {
  return { resolve: () => Promise.resolve(principal), resolveToken: () => Promise.resolve(principal) };
}

async function statusOf(promise: Promise<boolean>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof ApiError) return error.getStatus();
    throw error;
  }
}

describe('AccessGuard', () => {
  const reflector = new Reflector();
  const reader: Principal = {
    kind: 'user',
    id: 'u1',
    name: 'reader',
    role: Role.READ_ONLY,
    permissions: [Role.READ_ONLY],
  };
  const operator: Principal = {
    kind: 'user',
    id: 'u2',
    name: 'op',
    role: Role.CONTROL,
    permissions: [Role.READ_ONLY, Role.CONTROL],
  };
  const admin: Principal = {
    kind: 'apiKey',
    id: 'k1',
    name: 'key',
    role: Role.ADMIN,
    permissions: [Role.ADMIN],
  };
  const guard = (metricsPublic: boolean, resolver?: PrincipalResolver): AccessGuard =>
    new AccessGuard(reflector, { metricsPublic } as AppConfig, undefined, resolver);

  it('lets anyone call a public route', async () => {
    expect(await statusOf(guard(false).canActivate(contextFor('open')))).toBe(200);
  });

  it('closes a route that declares no access rule, even to an admin', async () => {
    expect(await statusOf(guard(false, resolverFor(admin)).canActivate(contextFor('unmarked')))).toBe(403);
  });

  it('answers 401 without credentials or principal, and 403 when the role is too low', async () => {
    expect(
      await statusOf(guard(false, resolverFor(operator)).canActivate(contextFor('control', { headers: {} }))),
    ).toBe(401);
    expect(await statusOf(guard(false).canActivate(contextFor('control')))).toBe(401);
    expect(await statusOf(guard(false, resolverFor(undefined)).canActivate(contextFor('control')))).toBe(401);
    expect(await statusOf(guard(false, resolverFor(reader)).canActivate(contextFor('control')))).toBe(403);
  });

  it('admits a role at or above the required one and attaches the principal', async () => {
    const request = withToken();
    expect(
      await statusOf(guard(false, resolverFor(operator)).canActivate(contextFor('control', request))),
    ).toBe(200);
    expect(request.principal).toBe(operator);
    expect(await statusOf(guard(false, resolverFor(admin)).canActivate(contextFor('control')))).toBe(200);
  });

  it('opens a @PublicWhen route only when the setting says so', async () => {
    expect(await statusOf(guard(false).canActivate(contextFor('metrics')))).toBe(401);
    expect(await statusOf(guard(true).canActivate(contextFor('metrics')))).toBe(200);
  });
});
