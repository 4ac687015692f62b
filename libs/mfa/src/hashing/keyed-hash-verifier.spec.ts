import { verify as argon2Verify } from '@node-rs/argon2';
import { SealContext, SecretBox, SecretKeyring } from '@twofold/domain';
import { Argon2idHasher, TEST_ARGON2ID_PARAMS } from './argon2id-hasher';
import { KeyedHashVerifier } from './keyed-hash-verifier';

const argon2 = new Argon2idHasher(TEST_ARGON2ID_PARAMS);
const keyring = new SecretKeyring('k1', { k1: Buffer.alloc(32, 1) });
const sut = new KeyedHashVerifier(argon2, keyring);
const pinOf = (userId: string) => SealContext.pinHash(userId);

describe('KeyedHashVerifier', () => {
  it('verifies a PIN against its sealed hash, and nothing else', async () => {
    const stored = keyring.seal(await argon2.hash('4812'), pinOf('u1'));
    await expect(sut.verify(stored, '4812', pinOf('u1'))).resolves.toBe(true);
    await expect(sut.verify(stored, '4813', pinOf('u1'))).resolves.toBe(false);
    // Copied into another user's record, or checked as a password: it does not open.
    await expect(sut.verify(stored, '4812', pinOf('u2'))).resolves.toBe(false);
    await expect(sut.verify(stored, '4812', SealContext.passwordHash('u1'))).resolves.toBe(false);
  });

  it('gives whoever lacks the master key nothing to guess against', async () => {
    const stored = keyring.seal(await argon2.hash('4812'), pinOf('u1'));
    expect(JSON.stringify(stored)).not.toContain('$argon2');
    await expect(argon2Verify(stored.ct, '4812').catch(() => false)).resolves.toBe(false);
    const otherKey = new KeyedHashVerifier(argon2, new SecretBox('k1', Buffer.alloc(32, 2)));
    await expect(otherKey.verify(stored, '4812', pinOf('u1'))).resolves.toBe(false);
  });

  it('still accepts the bare argon2id hash of a schema v1 event', async () => {
    const legacy = await argon2.hash('2468');
    await expect(sut.verify(legacy, '2468', pinOf('u1'))).resolves.toBe(true);
    await expect(sut.verify(legacy, '2469', pinOf('u1'))).resolves.toBe(false);
    await expect(sut.verify('not a hash', '2468', pinOf('u1'))).resolves.toBe(false);
    await expect(sut.verify({ alg: 'A256GCM', keyId: 'k1', iv: '', tag: '', ct: '' }, '2468', pinOf('u1'))).resolves.toBe(false);
  });
});
