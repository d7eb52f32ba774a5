import { AppConfig } from '../config/app-config';
import { SecretBox, SecretDecryptionError } from './secret-box';

const keyA = Buffer.alloc(32, 1);
const keyB = Buffer.alloc(32, 2);

function box(version: number, key: Buffer, retired: Array<[number, Buffer]> = []): SecretBox {
  return new SecretBox({
    masterKey: key,
    masterKeyVersion: version,
    retiredMasterKeys: new Map(retired),
  } as unknown as AppConfig);
}

describe('SecretBox', () => {
  it('round-trips, with a fresh IV every time', () => {
    const sealer = box(1, keyA);
    const first = sealer.seal('api-secret-123', 'row-1');
    const second = sealer.seal('api-secret-123', 'row-1');
    expect(first).not.toBe(second);
    expect(first).not.toContain('api-secret-123');
    expect(first.split('.')).toHaveLength(5);
    expect(Buffer.from(first.split('.')[2], 'base64url')).toHaveLength(12);
    expect(Buffer.from(first.split('.')[3], 'base64url')).toHaveLength(16);
    expect(sealer.open(first, 'row-1')).toBe('api-secret-123');
    expect(sealer.open(second, 'row-1')).toBe('api-secret-123');
  });

  it('fails loudly on an altered ciphertext, tag or IV', () => {
    const sealer = box(1, keyA);
    const sealed = sealer.seal('api-secret-123', 'row-1');
    const parts = sealed.split('.');
    for (const index of [2, 3, 4]) {
      const bytes = Buffer.from(parts[index], 'base64url');
      bytes[0] ^= 0x01;
      const altered = [...parts];
      altered[index] = bytes.toString('base64url');
      expect(() => sealer.open(altered.join('.'), 'row-1')).toThrow(SecretDecryptionError);
    }
  });

  it('does not open under another row id or another key', () => {
    const sealed = box(1, keyA).seal('api-secret-123', 'row-1');
    expect(() => box(1, keyA).open(sealed, 'row-2')).toThrow(SecretDecryptionError);
    expect(() => box(1, keyB).open(sealed, 'row-1')).toThrow(SecretDecryptionError);
    expect(() => box(2, keyB).open(sealed, 'row-1')).toThrow(/key version 1/);
  });

  it('reads values sealed under a retired key version and writes with the current one', () => {
    const old = box(1, keyA).seal('api-secret-123', 'row-1');
    const rotated = box(2, keyB, [[1, keyA]]);
    expect(rotated.open(old, 'row-1')).toBe('api-secret-123');
    expect(rotated.versionOf(old)).toBe(1);
    expect(rotated.versionOf(rotated.seal('x', 'row-1'))).toBe(2);
  });
});
