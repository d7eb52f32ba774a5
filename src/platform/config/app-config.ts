import { isIP } from 'node:net';
import * as path from 'node:path';
import { readPackageVersion } from './package-info';

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Thrown when one environment variable is unusable; start-up prints its message as one line. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}

export interface AuthSettings {
  /** The first SUPER_ADMIN, created on a start with no users; a password is generated when absent. */
  adminUsername: string;
  adminPassword: string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  /** How long a user's or key's state may be served from memory before it is read again. */
  principalCacheMs: number;
  /** log2 of scrypt's N for password hashes: 17 (OWASP's) or 18 (256 MiB each); lower only under NODE_ENV=test. */
  passwordHashCost: number;
}

/** Requests allowed per principal (per IP when anonymous) in each group; a key's own hourly limit applies on top. */
export interface RateLimitSettings {
  anonymousPerMinute: number;
  readOnlyPerMinute: number;
  controlPerMinute: number;
  adminPerMinute: number;
  keyCreationPerHour: number;
}

export interface MarketSettings {
  /** Run the embedded simulated market (the default data source, with no exchange account). */
  simulation: boolean;
  seed: number;
  /** Days of 1-minute history the simulated market backfills on first start. */
  backfillDays: number;
  /** Store the simulated market's minutes as they complete (off: prices and books only, no new candles). */
  liveCandles: boolean;
}

export interface TradingSettings {
  /** Off: every new order is refused with TRADING_DISABLED (exits of open trades still run). */
  enabled: boolean;
  /** How often open and unknown orders are looked up on their exchange. */
  reconcileIntervalMs: number;
  /**
   * Most of an account's trading equity its open trades (of every bot and of the API) may hold, in
   * percent: a bot's entry beyond it is refused.
   */
  maxAccountExposurePercent: number;
}

export interface RealtimeSettings {
  /** A socket whose unsent data stays above this is closed with 1013. */
  maxBufferedBytes: number;
  /** Client messages per socket per 10 s. */
  messagesPer10s: number;
  heartbeatMs: number;
  /** How long a socket may stay unauthenticated before it is closed with 4401. */
  authTimeoutMs: number;
}

export interface JobSettings {
  /** Backtests one instance runs at the same time. */
  backtestConcurrency: number;
}

export interface WebhookSettings {
  /** Lets webhook URLs reach private, loopback and link-local addresses (tests reach a local receiver). */
  allowPrivateNetworks: boolean;
  /** Wait before a delivery's first retry; it doubles with each further one (with jitter). */
  retryBaseMs: number;
  /** A receiver that has not answered by then has timed out (the attempt is retried). */
  timeoutMs: number;
}

export interface PaperSettings {
  /** Quote currency (USDT) a new paper account starts with, as a decimal string. */
  startingBalance: string;
  makerFee: string;
  takerFee: string;
}

/**
 * The validated settings of one running instance. Every other part of the application reads its
 * settings from here, never from process.env.
 */
export class AppConfig {
  readonly nodeEnv!: NodeEnv;
  readonly version!: string;
  readonly port!: number;
  readonly host!: string;
  /** PostgreSQL connection string; when absent the embedded PGlite database in dataDir is used. */
  readonly databaseUrl!: string | undefined;
  readonly dataDir!: string;
  /** Redis, when configured; reported in health. */
  readonly redisUrl!: string | undefined;
  /** Prefix of every Redis key and channel of this deployment (instances sharing it see each other). */
  readonly redisNamespace!: string;
  readonly runMigrations!: boolean;
  readonly logLevel!: LogLevel;
  /** Allowed browser origins; an empty list disables CORS. */
  readonly corsOrigins!: string[];
  readonly bodyLimitBytes!: number;
  readonly metricsPublic!: boolean;
  readonly shutdownTimeoutMs!: number;
  /** How many proxies in front of this server may set X-Forwarded-For (0: trust none). */
  readonly trustProxyHops!: number;
  /** A bearer token that Prometheus may use for /api/metrics instead of a user or key. */
  readonly metricsToken!: string | undefined;
  readonly auth!: AuthSettings;
  readonly rateLimits!: RateLimitSettings;
  readonly market!: MarketSettings;
  readonly paper!: PaperSettings;
  readonly trading!: TradingSettings;
  readonly realtime!: RealtimeSettings;
  readonly jobs!: JobSettings;
  readonly webhooks!: WebhookSettings;
  /** Secrets come from the environment or from DATA_DIR/secrets.json (see secrets.ts). */
  readonly jwtSecret!: string;
  readonly masterKey!: Buffer;
  readonly masterKeyVersion!: number;
  readonly retiredMasterKeys!: ReadonlyMap<number, Buffer>;

  constructor(values: AppConfigValues) {
    Object.assign(this, values);
  }

  get databaseDriver(): 'postgres' | 'pglite' {
    return this.databaseUrl ? 'postgres' : 'pglite';
  }

  get pgliteDir(): string {
    return path.join(this.dataDir, 'pglite');
  }
}

export type Env = Record<string, string | undefined>;

export type AppConfigValues = Omit<AppConfig, 'databaseDriver' | 'pgliteDir'>;

/** The settings that do not depend on secrets, read and validated from an environment. */
export type PlainConfig = Omit<
  AppConfigValues,
  'jwtSecret' | 'masterKey' | 'masterKeyVersion' | 'retiredMasterKeys'
>;

const NODE_ENVS: readonly NodeEnv[] = ['development', 'production', 'test'];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function present(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = present(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = present(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `must be a whole number, got "${value}"`);
  const parsed = Number(value);
  if (parsed < min || parsed > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${parsed}`);
  }
  return parsed;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const value = present(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(name, `must be true or false, got "${value}"`);
}

function databaseUrl(env: Env): string | undefined {
  const value = present(env, 'DATABASE_URL');
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a valid URL (expected postgres://user@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must use postgres:// or postgresql://, got "${url.protocol}"`);
  }
  if (url.pathname.length <= 1) throw new ConfigError('DATABASE_URL', 'must name a database');
  return value;
}

function redisUrl(env: Env): string | undefined {
  const value = present(env, 'REDIS_URL');
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('REDIS_URL', 'is not a valid URL (expected redis://host:port)');
  }
  if (url.protocol !== 'redis:')
    throw new ConfigError('REDIS_URL', `must use redis://, got "${url.protocol}"`);
  return value;
}

function redisNamespace(env: Env): string {
  const value = present(env, 'REDIS_NAMESPACE') ?? 'tradeplane';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(value))
    throw new ConfigError('REDIS_NAMESPACE', 'must be 1-64 of A-Z a-z 0-9 _ . : -');
  return value;
}

function host(env: Env): string {
  const value = present(env, 'HOST') ?? '127.0.0.1';
  const hostname = /^[a-zA-Z0-9.-]+$/;
  if (isIP(value) === 0 && !hostname.test(value)) {
    throw new ConfigError('HOST', `must be an IP address or a host name, got "${value}"`);
  }
  return value;
}

function corsOrigins(env: Env): string[] {
  const value = present(env, 'CORS_ORIGINS');
  if (value === undefined) return [];
  const origins = value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    try {
      const url = new URL(origin);
      if (url.origin !== origin) throw new Error('not an origin');
    } catch {
      throw new ConfigError('CORS_ORIGINS', `"${origin}" is not an origin such as https://app.example.com`);
    }
  }
  return origins;
}

function optionalSecret(env: Env, name: string, minLength: number): string | undefined {
  const value = present(env, name);
  if (value !== undefined && value.length < minLength) {
    throw new ConfigError(name, `must be at least ${minLength} characters`);
  }
  return value;
}

function decimal(env: Env, name: string, fallback: string, max: number): string {
  const value = present(env, name) ?? fallback;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) > max) {
    throw new ConfigError(name, `must be a decimal number from 0 to ${max}, got "${value}"`);
  }
  return value;
}

function username(env: Env, name: string, fallback: string): string {
  const value = present(env, name) ?? fallback;
  if (!/^[A-Za-z0-9._-]{3,64}$/.test(value)) {
    throw new ConfigError(name, 'must be 3 to 64 letters, digits, dots, dashes or underscores');
  }
  return value;
}

/** Reads and validates every setting except the secrets. Throws ConfigError on the first bad value. */
export function readPlainConfig(env: Env, cwd = process.cwd()): PlainConfig {
  const nodeEnv = oneOf(env, 'NODE_ENV', NODE_ENVS, 'development');
  return {
    nodeEnv,
    version: readPackageVersion(),
    port: integer(env, 'PORT', 8000, 0, 65535),
    host: host(env),
    databaseUrl: databaseUrl(env),
    dataDir: path.resolve(cwd, present(env, 'DATA_DIR') ?? 'data'),
    redisUrl: redisUrl(env),
    redisNamespace: redisNamespace(env),
    runMigrations: boolean(env, 'RUN_MIGRATIONS', true),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'warn' : 'info'),
    corsOrigins: corsOrigins(env),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    metricsPublic: boolean(env, 'METRICS_PUBLIC', false),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    trustProxyHops: integer(env, 'TRUST_PROXY', 0, 0, 10),
    metricsToken: optionalSecret(env, 'METRICS_TOKEN', 24),
    auth: {
      adminUsername: username(env, 'ADMIN_USERNAME', 'admin'),
      adminPassword: optionalSecret(env, 'ADMIN_PASSWORD', 12),
      accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
      refreshTokenTtlDays: integer(env, 'REFRESH_TOKEN_TTL_DAYS', 14, 1, 365),
      principalCacheMs: integer(env, 'PRINCIPAL_CACHE_MS', 5000, 0, 60_000),
      // Tests sign in hundreds of times: a cheaper hash there, never below OWASP's outside them.
      passwordHashCost: integer(env, 'PASSWORD_HASH_COST', 17, nodeEnv === 'test' ? 10 : 17, 18),
    },
    rateLimits: {
      anonymousPerMinute: integer(env, 'RATE_LIMIT_ANONYMOUS', 20, 1, 1_000_000_000),
      readOnlyPerMinute: integer(env, 'RATE_LIMIT_READ_ONLY', 100, 1, 1_000_000_000),
      controlPerMinute: integer(env, 'RATE_LIMIT_CONTROL', 60, 1, 1_000_000_000),
      adminPerMinute: integer(env, 'RATE_LIMIT_ADMIN', 30, 1, 1_000_000_000),
      keyCreationPerHour: integer(env, 'RATE_LIMIT_KEY_CREATION', 10, 1, 1_000_000_000),
    },
    market: {
      simulation: boolean(env, 'MARKET_SIMULATION', true),
      seed: integer(env, 'MARKET_SEED', 42, 0, 2_147_483_647),
      backfillDays: integer(env, 'MARKET_BACKFILL_DAYS', 30, 0, 365),
      liveCandles: boolean(env, 'MARKET_LIVE_CANDLES', true),
    },
    paper: {
      startingBalance: decimal(env, 'PAPER_STARTING_BALANCE', '10000', 1e12),
      makerFee: decimal(env, 'PAPER_MAKER_FEE', '0.0008', 0.05),
      takerFee: decimal(env, 'PAPER_TAKER_FEE', '0.001', 0.05),
    },
    trading: {
      enabled: boolean(env, 'TRADING_ENABLED', true),
      reconcileIntervalMs: integer(env, 'RECONCILE_INTERVAL_MS', 10_000, 500, 3_600_000),
      maxAccountExposurePercent: integer(env, 'MAX_ACCOUNT_EXPOSURE_PERCENT', 100, 1, 100),
    },
    realtime: {
      maxBufferedBytes: integer(env, 'WS_MAX_BUFFERED_BYTES', 1_048_576, 1024, 1_073_741_824),
      messagesPer10s: integer(env, 'WS_MESSAGES_PER_10S', 100, 1, 1_000_000),
      heartbeatMs: integer(env, 'WS_HEARTBEAT_MS', 15_000, 100, 3_600_000),
      authTimeoutMs: integer(env, 'WS_AUTH_TIMEOUT_MS', 5000, 100, 600_000),
    },
    jobs: {
      backtestConcurrency: integer(env, 'BACKTEST_CONCURRENCY', 1, 1, 16),
    },
    webhooks: {
      allowPrivateNetworks: boolean(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
      retryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 5000, 10, 600_000),
      timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    },
  };
}
