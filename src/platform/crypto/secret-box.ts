import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/** A stored secret that cannot be opened: altered, bound to another row, or under an unknown key. */
export class SecretDecryptionError extends Error {}

/**
 * Encrypts secrets at rest with AES-256-GCM under MASTER_KEY: a random 12-byte IV per value, the
 * 16-byte tag checked on the way out, and additional data (the owning row's id) binding a ciphertext
 * to its row, so a value copied to another row does not open. Stored as `v1.<keyVersion>.<iv>.<tag>.<data>`.
 */
@Injectable()
export class SecretBox {
  private readonly keys: ReadonlyMap<number, Buffer>;
  private readonly currentVersion: number;

  constructor(config: AppConfig) {
    this.currentVersion = config.masterKeyVersion;
    this.keys = new Map([...config.retiredMasterKeys, [config.masterKeyVersion, config.masterKey]]);
  }

  seal(plaintext: string, additionalData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keys.get(this.currentVersion)!, iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.from(additionalData, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      FORMAT,
      this.currentVersion,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      data.toString('base64url'),
    ].join('.');
  }

  open(sealed: string, additionalData: string): string {
    const [format, version, iv, tag, data] = sealed.split('.');
    const key = this.keys.get(Number(version));
    if (format !== FORMAT || !key || iv === undefined || tag === undefined || data === undefined) {
      throw new SecretDecryptionError(`stored secret has an unknown format or key version ${version}`);
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(additionalData, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretDecryptionError(
        'stored secret failed its integrity check: altered, or bound to another row',
      );
    }
  }

  /** The key version a stored value was sealed with (to find values to re-encrypt after a rotation). */
  versionOf(sealed: string): number {
    return Number(sealed.split('.')[1]);
  }

  get keyVersion(): number {
    return this.currentVersion;
  }
}
