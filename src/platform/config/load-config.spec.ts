import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from './app-config';
import { loadConfig } from './load-config';

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'tp-config-'));
}

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ DATA_DIR: tempDir(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const dataDir = tempDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.port).toBe(8000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.databaseDriver).toBe('pglite');
    expect(config.pgliteDir).toBe(path.join(dataDir, 'pglite'));
    expect(config.runMigrations).toBe(true);
    expect(config.nodeEnv).toBe('development');
    expect(config.corsOrigins).toEqual([]);
    expect(config.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(config.auth.passwordHashCost).toBe(17);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', 'must be a whole number'],
    [{ PORT: '70000' }, 'PORT', 'between 0 and 65535'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL', 'postgres://'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL', 'not a valid URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', 'must be one of'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV', 'must be one of'],
    [{ CORS_ORIGINS: 'example.com' }, 'CORS_ORIGINS', 'is not an origin'],
    [{ METRICS_PUBLIC: 'maybe' }, 'METRICS_PUBLIC', 'true or false'],
    [{ HOST: 'bad host!' }, 'HOST', 'IP address or a host name'],
    [{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL', 'redis://'],
    [{ REDIS_NAMESPACE: 'has spaces' }, 'REDIS_NAMESPACE', 'must be 1-64'],
    [{ JWT_SECRET: 'short', MASTER_KEY: 'a'.repeat(64) }, 'JWT_SECRET', 'at least 32'],
    [{ PASSWORD_HASH_COST: '12' }, 'PASSWORD_HASH_COST', 'between 17 and 18'],
    [{ PASSWORD_HASH_COST: '20' }, 'PASSWORD_HASH_COST', 'between 17 and 18'],
    [{ PASSWORD_HASH_COST: '12', NODE_ENV: 'production' }, 'PASSWORD_HASH_COST', 'between 17 and 18'],
    [{ JWT_SECRET: 'x'.repeat(40), MASTER_KEY: 'abcd' }, 'MASTER_KEY', '32 bytes'],
  ])('refuses %j naming %s', (env, variable, problem) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(problem);
    expect(error.message).not.toContain('\n');
  });

  it('generates the secrets once into DATA_DIR with mode 0600 and reuses them', () => {
    const dataDir = tempDir();
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });
    const file = path.join(dataDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.masterKey.length).toBe(32);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(second.masterKey.equals(first.masterKey)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain(first.jwtSecret);
  });

  it('prefers the environment and writes no file when both secrets are given', () => {
    const dataDir = tempDir();
    const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 's'.repeat(40), MASTER_KEY: 'ab'.repeat(32) });
    expect(config.jwtSecret).toBe('s'.repeat(40));
    expect(config.masterKey.toString('hex')).toBe('ab'.repeat(32));
    expect(() => statSync(path.join(dataDir, 'secrets.json'))).toThrow();
  });

  it('requires both secrets from the environment in production', () => {
    expect(configError({ NODE_ENV: 'production' }).variable).toBe('JWT_SECRET');
    expect(configError({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40) }).variable).toBe('MASTER_KEY');
  });

  it("takes a password hash cost below OWASP's only under NODE_ENV=test", () => {
    expect(
      loadConfig({ DATA_DIR: tempDir(), NODE_ENV: 'test', PASSWORD_HASH_COST: '10' }).auth.passwordHashCost,
    ).toBe(10);
    expect(configError({ NODE_ENV: 'test', PASSWORD_HASH_COST: '9' }).variable).toBe('PASSWORD_HASH_COST');
  });
});
