import { sign } from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { Role } from '../../src/platform/access/role';
import { TEST_ADMIN, TestApp } from './test-app';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: string;
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A JSON request to the test app, like a front end would send it. */
export async function call<T = Record<string, unknown>>(
  t: TestApp,
  method: string,
  path: string,
  options: { token?: string; apiKey?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${t.baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const body = (
    text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text
  ) as T;
  return { status: response.status, headers: response.headers, body };
}

export async function login(t: TestApp, username: string, password: string): Promise<Tokens> {
  const response = await call<Tokens>(t, 'POST', '/api/auth/login', { body: { username, password } });
  if (response.status !== 200)
    throw new Error(`login of ${username} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

export function loginAdmin(t: TestApp): Promise<Tokens> {
  return login(t, TEST_ADMIN.username, TEST_ADMIN.password);
}

export interface TestUser {
  id: string;
  username: string;
  password: string;
  token: string;
}

let userCounter = 0;

/** Creates a user with the role (as the bootstrap SUPER_ADMIN) and signs it in. */
export async function createUser(t: TestApp, adminToken: string, role: Role): Promise<TestUser> {
  const username = `${role.toLowerCase()}-${++userCounter}-${process.pid}`;
  const password = `password-of-${username}`;
  const created = await call<{ id: string }>(t, 'POST', '/api/users', {
    token: adminToken,
    body: { username, password, role },
  });
  if (created.status !== 201)
    throw new Error(`creating ${username} answered ${created.status}: ${JSON.stringify(created.body)}`);
  const tokens = await login(t, username, password);
  return { id: created.body.id, username, password, token: tokens.accessToken };
}

export async function createKey(
  t: TestApp,
  superAdminToken: string,
  body: Record<string, unknown>,
): Promise<{ keyId: string; apiKey: string; [field: string]: unknown }> {
  const created = await call<{ keyId: string; apiKey: string }>(t, 'POST', '/api/keys', {
    token: superAdminToken,
    body,
  });
  if (created.status !== 201)
    throw new Error(`creating key answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body;
}

/** A token signed the way the app signs them, with claims to override: for forging tests. */
export function craftToken(
  secret: string,
  claims: Record<string, unknown>,
  options: { algorithm?: 'HS256' | 'HS384' } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  return sign(
    {
      role: Role.SUPER_ADMIN,
      sid: randomUUID(),
      tv: 0,
      iat: now,
      exp: now + 600,
      iss: 'tradeplane',
      aud: 'tradeplane-api',
      jti: randomUUID(),
      ...claims,
    },
    secret,
    { algorithm: options.algorithm ?? 'HS256' },
  );
}

/** An unsigned token (`alg: none`) with the given claims. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}
