import { Injectable } from '@nestjs/common';
import { randomBytes, scrypt, ScryptOptions, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../platform/config/app-config';

/** OWASP's scrypt parameters: N=2^17 (PASSWORD_HASH_COST, at least 17 outside tests), r=8, p=1. */
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, log2n: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** log2n, r, p, maxmem: 2 * 128 * 2 ** log2n * r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** Stored as `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64), so parameters can change later. */
@Injectable()
export class PasswordHasher {
  private readonly decoy: Promise<string>;
  private readonly log2n: number;

  constructor(config: AppConfig) {
    this.log2n = config.auth.passwordHashCost;
    // Verified against when a username does not exist, so both cases take the same time.
    this.decoy = this.hash(randomBytes(16).toString('hex'));
    this.decoy.catch(() => undefined);
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(password, salt, this.log2n, BLOCK_SIZE, PARALLELISM);
    return [
      'scrypt',
      this.log2n,
      BLOCK_SIZE,
      PARALLELISM,
      salt.toString('base64'),
      key.toString('base64'),
    ].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, log2n, r, p, salt, expected] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !expected) return false;
    const key = await derive(password, Buffer.from(salt, 'base64'), Number(log2n), Number(r), Number(p));
    const expectedKey = Buffer.from(expected, 'base64');
    return expectedKey.length === key.length && timingSafeEqual(key, expectedKey);
  }

  /**
   * Whether a stored hash was made with other parameters than new ones get (PASSWORD_HASH_COST changed,
   * or made under tests): rehashed at the next sign-in, so every account ends up at the configured cost
   * and a login costs the same whether the username exists or not.
   */
  needsRehash(stored: string): boolean {
    const [scheme, log2n, r, p] = stored.split('$');
    return (
      scheme !== 'scrypt' ||
      Number(log2n) !== this.log2n ||
      Number(r) !== BLOCK_SIZE ||
      Number(p) !== PARALLELISM
    );
  }

  /** Spends the time of one verification, for a login whose user does not exist. */
  async verifyDecoy(password: string): Promise<false> {
    await this.verify(password, await this.decoy);
    return false;
  }
}
