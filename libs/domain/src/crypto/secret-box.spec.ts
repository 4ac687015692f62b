import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { SealedSecret } from '../events/event';
import { SealContext, SecretBox, SecretKeyring } from './secret-box';
import { thrown } from '../testing/thrown';

const PLAIN = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

const openError = (fn: () => unknown): DomainError => thrown(DomainError, fn);

function flipFirstByte(b64: string): string {
  const bytes = Buffer.from(b64, 'base64');
  bytes[0] ^= 0x01;
  return bytes.toString('base64');
}

describe('SecretBox', () => {
  const key = randomBytes(32);
  const sut = new SecretBox('k1', key);

  it('seals to JSON-friendly parts and opens again', () => {
    const sealed = sut.seal(PLAIN, 'ctx');
    expect(sealed).toMatchObject({ alg: 'A256GCM', keyId: 'k1' });
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(JSON.stringify(sealed)).not.toContain(PLAIN);
    expect(sut.open(JSON.parse(JSON.stringify(sealed)), 'ctx')).toBe(PLAIN);
  });

  it('uses a fresh iv every time', () => {
    const a = sut.seal(PLAIN);
    const b = sut.seal(PLAIN);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
  });

  it.each<[string, (s: SealedSecret) => SealedSecret]>([
    ['ciphertext', (s) => ({ ...s, ct: flipFirstByte(s.ct) })],
    ['tag', (s) => ({ ...s, tag: flipFirstByte(s.tag) })],
    ['iv', (s) => ({ ...s, iv: flipFirstByte(s.iv) })],
    ['truncated tag', (s) => ({ ...s, tag: Buffer.from(s.tag, 'base64').subarray(0, 8).toString('base64') })],
    ['algorithm', (s) => ({ ...s, alg: 'none' as 'A256GCM' })],
  ])('detects a tampered %s without echoing content', (_, tamper) => {
    const error = openError(() => sut.open(tamper(sut.seal(PLAIN, 'ctx')), 'ctx'));
    expect(error.code).toBe(DomainErrorCode.SecretUnreadable);
    expect(error.message).not.toContain(PLAIN);
  });

  it('refuses a different key, even under the same key id', () => {
    const sealed = sut.seal(PLAIN);
    expect(openError(() => new SecretBox('k1', randomBytes(32)).open(sealed)).code).toBe(DomainErrorCode.SecretUnreadable);
    expect(openError(() => new SecretBox('k2', key).open(sealed)).code).toBe(DomainErrorCode.SecretUnreadable);
  });

  it('binds a seal to its owner through AAD: a seed cannot move to another user or token', () => {
    const sealed = sut.seal(PLAIN, SealContext.oathSeed('alice', 't1'));
    expect(sut.open(sealed, SealContext.oathSeed('alice', 't1'))).toBe(PLAIN);
    expect(openError(() => sut.open(sealed, SealContext.oathSeed('mallory', 't1'))).code).toBe(DomainErrorCode.SecretUnreadable);
    expect(openError(() => sut.open(sealed, SealContext.oathSeed('alice', 't2'))).code).toBe(DomainErrorCode.SecretUnreadable);
    expect(openError(() => sut.open(sealed)).code).toBe(DomainErrorCode.SecretUnreadable);
  });

  it('needs a 32-byte key and keeps it out of logs', () => {
    expect(openError(() => new SecretBox('k', randomBytes(16))).code).toBe(DomainErrorCode.InvalidSecretKey);
    expect(JSON.stringify(sut)).toBe('{"keyId":"k1"}');
    expect(inspect(sut)).not.toContain(key.toString('hex'));
    expect(inspect(sut)).not.toContain(key.toString('base64'));
  });

  it('is not affected when the caller reuses the key buffer', () => {
    const buffer = randomBytes(32);
    const box = new SecretBox('k', buffer);
    const sealed = box.seal(PLAIN);
    buffer.fill(0);
    expect(box.open(sealed)).toBe(PLAIN);
  });
});

describe('SecretKeyring', () => {
  it('seals with the current key and opens with any key it holds', () => {
    const old = randomBytes(32);
    const ring = new SecretKeyring('2024', { '2024': old });
    const sealedOld = ring.seal(PLAIN, 'a');
    ring.add('2025', randomBytes(32), { makeCurrent: true });
    const sealedNew = ring.seal(PLAIN, 'a');
    expect(sealedNew.keyId).toBe('2025');
    expect(ring.open(sealedOld, 'a')).toBe(PLAIN);
    expect(ring.open(sealedNew, 'a')).toBe(PLAIN);
  });

  it('reseals old values under the current key, keeping the AAD binding', () => {
    const ring = new SecretKeyring('old', { old: randomBytes(32), new: randomBytes(32) });
    const sealed = ring.seal(PLAIN, 'owner');
    ring.setCurrent('new');
    expect(ring.needsReseal(sealed)).toBe(true);
    const resealed = ring.reseal(sealed, 'owner');
    expect(resealed.keyId).toBe('new');
    expect(ring.needsReseal(resealed)).toBe(false);
    ring.remove('old');
    expect(ring.open(resealed, 'owner')).toBe(PLAIN);
    expect(openError(() => ring.open(sealed, 'owner')).code).toBe(DomainErrorCode.SecretUnreadable);
  });

  it('refuses an unknown current key and removing the current key', () => {
    expect(openError(() => new SecretKeyring('x', { a: randomBytes(32) })).code).toBe(DomainErrorCode.InvalidSecretKey);
    const ring = new SecretKeyring('a', new Map([['a', randomBytes(32)]]));
    expect(openError(() => ring.remove('a')).code).toBe(DomainErrorCode.InvalidSecretKey);
    expect(JSON.stringify(ring)).toBe('{"currentKeyId":"a","keyIds":["a"]}');
  });
});
