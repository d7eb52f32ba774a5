import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, Env, PlainConfig } from './app-config';

export interface Secrets {
  jwtSecret: string;
  masterKey: Buffer;
  /** The version new ciphertexts are written with. */
  masterKeyVersion: number;
  /** Older master keys by version, still accepted for reading until values are re-encrypted. */
  retiredMasterKeys: ReadonlyMap<number, Buffer>;
}

interface StoredSecrets {
  jwtSecret: string;
  masterKey: string;
}

const SECRETS_FILE = 'secrets.json';
const MIN_JWT_SECRET_LENGTH = 32;

function decodeMasterKey(value: string, source: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(source, 'must be 32 bytes, as 64 hex characters or base64');
  }
  return key;
}

function checkJwtSecret(value: string, source: string): string {
  if (value.length < MIN_JWT_SECRET_LENGTH) {
    throw new ConfigError(source, `must be at least ${MIN_JWT_SECRET_LENGTH} characters`);
  }
  return value;
}

/**
 * Reads the stored secrets of this data folder, creating them (mode 0600) on first use. The embedded
 * default needs no set-up, and a restart keeps tokens and encrypted credentials valid.
 */
function loadOrCreateStoredSecrets(dataDir: string): StoredSecrets {
  const file = path.join(dataDir, SECRETS_FILE);
  if (existsSync(file)) {
    let stored: Partial<StoredSecrets>;
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredSecrets>;
    } catch {
      throw new ConfigError('DATA_DIR', `${file} is not readable JSON; restore it or remove it`);
    }
    if (typeof stored.jwtSecret !== 'string' || typeof stored.masterKey !== 'string') {
      throw new ConfigError('DATA_DIR', `${file} lacks jwtSecret or masterKey`);
    }
    return { jwtSecret: stored.jwtSecret, masterKey: stored.masterKey };
  }
  mkdirSync(dataDir, { recursive: true });
  const created: StoredSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    masterKey: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(created, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return created;
}

/**
 * JWT_SECRET and MASTER_KEY come from the environment. Outside production a missing one is generated
 * once into DATA_DIR; in production both are required, because several instances must share them.
 */
/** `MASTER_KEY_RETIRED=1:<key>,2:<key>`: keys of earlier versions, for reading old ciphertexts. */
function retiredKeys(env: Env, currentVersion: number): Map<number, Buffer> {
  const keys = new Map<number, Buffer>();
  const value = env.MASTER_KEY_RETIRED?.trim();
  if (!value) return keys;
  for (const entry of value.split(',')) {
    const match = /^(\d{1,6}):(.+)$/.exec(entry.trim());
    if (!match)
      throw new ConfigError('MASTER_KEY_RETIRED', 'must be a comma-separated list of <version>:<key>');
    const version = Number(match[1]);
    if (version === currentVersion)
      throw new ConfigError('MASTER_KEY_RETIRED', `version ${version} is the current MASTER_KEY_VERSION`);
    keys.set(version, decodeMasterKey(match[2], 'MASTER_KEY_RETIRED'));
  }
  return keys;
}

export function resolveSecrets(env: Env, plain: PlainConfig): Secrets {
  const jwtFromEnv = env.JWT_SECRET?.trim() || undefined;
  const keyFromEnv = env.MASTER_KEY?.trim() || undefined;
  if (plain.nodeEnv === 'production') {
    if (!jwtFromEnv) throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production');
    if (!keyFromEnv) throw new ConfigError('MASTER_KEY', 'is required when NODE_ENV=production');
  }
  const stored = jwtFromEnv && keyFromEnv ? undefined : loadOrCreateStoredSecrets(plain.dataDir);
  const versionText = env.MASTER_KEY_VERSION?.trim() || '1';
  if (!/^\d{1,6}$/.test(versionText) || Number(versionText) < 1) {
    throw new ConfigError('MASTER_KEY_VERSION', `must be a whole number from 1, got "${versionText}"`);
  }
  const masterKeyVersion = Number(versionText);
  return {
    jwtSecret: checkJwtSecret(
      jwtFromEnv ?? stored!.jwtSecret,
      jwtFromEnv ? 'JWT_SECRET' : 'DATA_DIR secrets',
    ),
    masterKey: decodeMasterKey(
      keyFromEnv ?? stored!.masterKey,
      keyFromEnv ? 'MASTER_KEY' : 'DATA_DIR secrets',
    ),
    masterKeyVersion,
    retiredMasterKeys: retiredKeys(env, masterKeyVersion),
  };
}
