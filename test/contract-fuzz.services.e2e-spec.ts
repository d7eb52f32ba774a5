import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Role } from '../src/platform/access/role';
import { call, createKey, loginAdmin } from './support/auth-client';
import { FakeThreeCommas } from './support/fake-three-commas';
import {
  collectionOf,
  FuzzOperation,
  FuzzRequest,
  OpenApiDocument,
  operationsOf,
  requestArbitrary,
  responseValidators,
  SchemaArbitraries,
} from './support/openapi-fuzz';
import { startTestApp, TestApp } from './support/test-app';

/** Requests per operation and principal: 139 operations × 5 principals × 7 ≈ 4,900. */
const RUNS_PER_PAIR = 7;
/** Then per operation naming a thing in its path and principal, with ids the API answered: ≈ 1,000 more. */
const RUNS_WITH_KNOWN_IDS = 3;
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const CONCURRENCY = 8;

// Runs in the PostgreSQL pass (with the other real-services tests): a minute of requests would not fit
// the PGlite pass's time budget.
jest.setTimeout(180_000);

interface Outcome {
  request: FuzzRequest;
  principal: string;
  operationId: string;
  status: number;
  problem: string | null;
}

describe('the API under requests generated from its own contract (openapi.json)', () => {
  const document = JSON.parse(
    readFileSync(path.resolve(__dirname, '..', 'openapi.json'), 'utf8'),
  ) as OpenApiDocument;
  const loopback: Record<string, string> = new Proxy({}, { get: () => 'http://127.0.0.1:9' });
  let t: TestApp;
  // 3Commas answers whatever credentials a fuzzed connection holds (an unreachable 3Commas would make
  // every call of a connected account a 503, which is right, but says nothing of the API).
  const threeCommas = new FakeThreeCommas('fuzz', 'fuzz', {
    perWindow: 1e9,
    windowMs: 60_000,
    blockSeconds: 1,
  });
  threeCommas.acceptAnyCredentials = true;
  const principals: Array<{ name: string; headers: () => Record<string, string> }> = [];
  let adminToken = '';
  /** The fuzzing principals' own user and keys: never named in a path (a fuzzed revoke would end the run). */
  const ownIds = new Set<string>();

  beforeAll(async () => {
    await threeCommas.start();
    t = await startTestApp(
      {
        RATE_LIMIT_ANONYMOUS: '1000000',
        RATE_LIMIT_READ_ONLY: '1000000',
        RATE_LIMIT_CONTROL: '1000000',
        RATE_LIMIT_ADMIN: '1000000',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      },
      {
        // Every exchange, 3Commas and webhook address a fuzzed request can name stays on the machine.
        exchange: { redirectApiTo: loopback, timeoutMs: 1_000, retry: { attempts: 1, baseDelayMs: 1 } },
        threeCommas: { baseUrl: threeCommas.baseUrl, timeoutMs: 1_000 },
      },
    );
    adminToken = (await loginAdmin(t)).accessToken;
    const me = await call<{ id: string }>(t, 'GET', '/api/auth/me', { token: adminToken });
    ownIds.add(me.body.id);
    const keyOf = async (name: string, role: Role) => {
      const { keyId, apiKey } = await createKey(t, adminToken, { name, permissions: [role] });
      ownIds.add(keyId);
      return apiKey;
    };
    const keys = {
      readOnly: await keyOf('fuzz-reader', Role.READ_ONLY),
      control: await keyOf('fuzz-control', Role.CONTROL),
      admin: await keyOf('fuzz-admin', Role.ADMIN),
    };
    principals.push(
      { name: 'anonymous', headers: () => ({}) },
      { name: 'READ_ONLY', headers: () => ({ 'x-api-key': keys.readOnly }) },
      { name: 'CONTROL', headers: () => ({ 'x-api-key': keys.control }) },
      { name: 'ADMIN', headers: () => ({ 'x-api-key': keys.admin }) },
      { name: 'SUPER_ADMIN', headers: () => ({ authorization: `Bearer ${adminToken}` }) },
    );
  });
  afterAll(async () => {
    await t?.close();
    await threeCommas.stop();
  });

  it('answers every generated request without a 5xx, errors in the one shape, successes as the spec says', async () => {
    const arbitraries = new SchemaArbitraries(document);
    const validatorOf = responseValidators(document);
    const work: Array<{ principal: (typeof principals)[number]; op: FuzzOperation; request: FuzzRequest }> =
      [];
    let seed = SEED;
    /** Queues `runs` requests per principal to `op`, naming `known` values in its path when given. */
    const queue = (op: FuzzOperation, runs: number, known?: Record<string, string[]>) => {
      for (const principal of principals)
        for (const request of fc.sample(requestArbitrary(op, arbitraries, known), {
          numRuns: runs,
          seed: seed++,
        }))
          work.push({ principal, op, request });
    };
    for (const op of operationsOf(document)) queue(op, RUNS_PER_PAIR);

    const outcomes: Outcome[] = [];
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < work.length) {
        const item = work[next++];
        outcomes.push(await send(item));
      }
    };
    // Ids (and names) the API answered with, by collection: a second round names things that exist.
    const known = new Map<string, Record<string, Set<string>>>();
    const harvest = (collection: string, body: unknown, depth = 0) => {
      if (depth > 3 || body === null || typeof body !== 'object') return;
      if (Array.isArray(body)) {
        for (const item of body.slice(0, 20)) harvest(collection, item, depth + 1);
        return;
      }
      const fields = known.get(collection) ?? {};
      known.set(collection, fields);
      for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
        if ((key === 'id' || key === 'name') && typeof value === 'string' && value.length <= 100) {
          if (!ownIds.has(value)) (fields[key] ??= new Set()).add(value);
        } else harvest(collection, value, depth + 1);
      }
    };
    const send = async (item: (typeof work)[number]): Promise<Outcome> => {
      const response = await fetch(`${t.baseUrl}${item.request.url}`, {
        method: item.request.method,
        headers: {
          ...item.principal.headers(),
          ...(item.request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: item.request.body,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      const outcome: Outcome = {
        request: item.request,
        principal: item.principal.name,
        operationId: item.op.operation.operationId,
        status: response.status,
        problem: null,
      };
      const json = (() => {
        try {
          return text ? (JSON.parse(text) as unknown) : undefined;
        } catch {
          return undefined;
        }
      })();
      if (response.status >= 200 && response.status < 300) harvest(collectionOf(item.op), json);
      if (response.status >= 500) outcome.problem = `5xx: ${text.slice(0, 300)}`;
      else if (response.status >= 400) {
        const body = json as Record<string, unknown> | undefined;
        if (
          !body ||
          body.statusCode !== response.status ||
          typeof body.error !== 'string' ||
          typeof body.message !== 'string' ||
          typeof body.requestId !== 'string'
        )
          outcome.problem = `${response.status} not in the error shape: ${text.slice(0, 300)}`;
      } else if (response.status >= 200 && response.status < 300) {
        const declared = item.op.operation.responses[String(response.status)];
        const schema = declared?.content?.['application/json']?.schema;
        if (!declared) outcome.problem = `${response.status} is not a documented answer`;
        else if (schema && response.headers.get('content-type')?.includes('json')) {
          const validate = validatorOf(schema);
          if (!validate(json))
            outcome.problem = `body does not match the spec: ${JSON.stringify(validate.errors?.slice(0, 2))}`;
        }
      }
      // A fuzzed logout (or a user change) may end the SUPER_ADMIN session: sign in again.
      if (item.principal.name === 'SUPER_ADMIN' && response.status === 401)
        adminToken = (await loginAdmin(t)).accessToken;
      return outcome;
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const firstRound = outcomes.length;
    // The second round: the operations that name a thing in their path, with things that exist.
    for (const op of operationsOf(document)) {
      const fields = known.get(collectionOf(op));
      if (op.path.includes('{') && fields)
        queue(
          op,
          RUNS_WITH_KNOWN_IDS,
          Object.fromEntries(Object.entries(fields).map(([key, values]) => [key, [...values]])),
        );
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;

    const pairs = new Set(outcomes.map((outcome) => `${outcome.operationId} ${outcome.status}`));
    const operationsAnswered2xx = new Set(outcomes.filter((o) => o.status < 300).map((o) => o.operationId));
    process.stdout.write(
      `contract fuzz (seed ${SEED}): ${outcomes.length} requests in ${seconds.toFixed(1)} s, ` +
        `${pairs.size} distinct (operation, status) pairs, ${operationsAnswered2xx.size} operations answered 2xx ` +
        `(${outcomes.length - firstRound} of the requests in a second round naming things that exist)\n`,
    );
    // One example of each distinct problem (by operation and kind), so that a run shows them all.
    const problems = new Map<string, string>();
    for (const outcome of outcomes) {
      if (outcome.problem === null) continue;
      const kind = `${outcome.operationId} ${outcome.problem.slice(0, 60)}`;
      if (!problems.has(kind))
        problems.set(
          kind,
          `${outcome.principal} ${outcome.request.method} ${outcome.request.url.slice(0, 200)} ${outcome.request.body?.slice(0, 200) ?? ''} -> ${outcome.problem}`,
        );
    }
    expect([...problems.values()]).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(4_500);
    const health = await fetch(`${t.baseUrl}/api/health/ready`);
    expect(health.status).toBe(200);
  });
});
