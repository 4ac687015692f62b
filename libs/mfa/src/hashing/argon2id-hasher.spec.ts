import { Argon2idHasher, DEFAULT_ARGON2ID_PARAMS, TEST_ARGON2ID_PARAMS } from './argon2id-hasher';
import { HashingError } from './hashing.error';

describe('Argon2idHasher', () => {
  const sut = new Argon2idHasher(TEST_ARGON2ID_PARAMS);

  it('hashes with argon2id and verifies the right secret only', async () => {
    const hashed = await sut.hash('4711');
    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(hashed).not.toContain('4711');
    await expect(sut.verify(hashed, '4711')).resolves.toBe(true);
    await expect(sut.verify(hashed, '4712')).resolves.toBe(false);
    await expect(sut.verify(hashed, '')).resolves.toBe(false);
  });

  it('salts: the same secret hashes differently each time', async () => {
    const [a, b] = await Promise.all([sut.hash('same'), sut.hash('same')]);
    expect(a).not.toBe(b);
    await expect(sut.verify(b, 'same')).resolves.toBe(true);
  });

  it('verifies hashes made with other parameters (they are in the PHC string)', async () => {
    const other = new Argon2idHasher({ memoryCostKiB: 2048, timeCost: 2 });
    const hashed = await other.hash('pässwörd ✓');
    await expect(sut.verify(hashed, 'pässwörd ✓')).resolves.toBe(true);
    expect(sut.needsRehash(hashed)).toBe(true);
    expect(other.needsRehash(hashed)).toBe(false);
  });

  it.each([[''], ['garbage'], ['$argon2id$'], ['$argon2id$v=19$m=1024,t=1,p=1$!!!$???'], ['$2b$10$abcdefghijklmnopqrstuv'], [null as unknown as string]])(
    'returns false (never throws) for malformed hash %p',
    async (hashed) => {
      await expect(sut.verify(hashed, 'x')).resolves.toBe(false);
    },
  );

  it('refuses nonsensical parameters', () => {
    expect(() => new Argon2idHasher({ timeCost: 0 })).toThrow(HashingError);
    expect(() => new Argon2idHasher({ memoryCostKiB: 4 })).toThrow(HashingError);
  });

  it('defaults to the documented production parameters', async () => {
    const hashed = await new Argon2idHasher().hash('x');
    const { memoryCostKiB, timeCost, parallelism } = DEFAULT_ARGON2ID_PARAMS;
    expect(hashed).toContain(`$m=${memoryCostKiB},t=${timeCost},p=${parallelism}$`);
  });
});
