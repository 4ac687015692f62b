import { randomBytes } from 'node:crypto';
import { base32Decode, decideGrantBypass, DomainEvent, GrantBypass, makeEvent, SealContext, SecretBox } from '@twofold/domain';
import { Argon2idHasher, TEST_ARGON2ID_PARAMS } from '../hashing/argon2id-hasher';
import { KeyedHashVerifier } from '../hashing/keyed-hash-verifier';
import { StateSealer } from '../sealed-state/state-sealer';
import { LocalPasswordFirstFactor } from '../first-factor/local-password';
import { NoFirstFactor } from '../first-factor/first-factor';
import { ApprovalBroker } from './approval-broker';
import { AuthenticationEngine } from './authentication-engine';
import { EngineClient } from './engine.ports';
import { MemoryUsers } from '../testing/memory-users';

const hasher = new Argon2idHasher(TEST_ARGON2ID_PARAMS);
const box = new SecretBox('k1', randomBytes(32));
const verifier = new KeyedHashVerifier(hasher, box);
let now = Date.UTC(2026, 2, 1, 10, 0, 0);


let users: MemoryUsers;
let engine: AuthenticationEngine;
const password = new LocalPasswordFirstFactor(verifier);
const rejectClient: EngineClient = { clientId: 'vpn-strict', firstFactor: password };
const rolloutClient: EngineClient = { clientId: 'vpn-rollout', firstFactor: password, unenrolled: 'first-factor-only' };

async function addUser(username: string, opts: { token?: boolean } = {}) {
  const userId = `u-${username}`;
  const events: DomainEvent[] = [
    makeEvent('UserCreated', { userId, username, displayName: username, contact: { email: null, phones: [] }, preferredMethod: 'totp', language: 'en' }),
    makeEvent('UserPasswordSet', { userId, passwordHash: box.seal(await hasher.hash('correct horse'), SealContext.passwordHash(userId)) }),
  ];
  if (opts.token) {
    events.push(makeEvent('OathTokenAssigned', {
      userId, tokenId: 't1', kind: 'totp', algorithm: 'SHA1', digits: 6, period: 30, counter: 0, label: '', seed: box.seal('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', SealContext.oathSeed(userId, 't1')),
    }));
  }
  users.apply(userId, events);
  return userId;
}

function grant(userId: string, seconds: number, once = false) {
  users.apply(userId, decideGrantBypass(users.states.get(userId)!, GrantBypass.create({ userId, seconds, reason: 'phone lost', once }), { now: new Date(now), grantedBy: 'admin' }));
}

const signIn = (username: string, client: EngineClient, pw = 'correct horse') => engine.authenticate({ username, password: pw, client, source: `radius:${client.clientId}` });

beforeEach(() => {
  now = Date.UTC(2026, 2, 1, 10, 0, 0);
  users = new MemoryUsers(() => new Date(now));
  engine = new AuthenticationEngine({
    directory: users, security: users, hasher: verifier, sealer: new StateSealer({ keyId: 'c1', key: randomBytes(32) }), approvals: new ApprovalBroker(),
    delivery: { send: async () => { throw new Error('no delivery in these tests'); } }, clock: () => now,
    openSeed: (userId, t) => base32Decode(box.open(t.seed, SealContext.oathSeed(userId, t.tokenId))),
  });
});

describe('staged rollout in the engine', () => {
  it('lets an unenrolled user in on the first factor on a first-factor-only client, and records it', async () => {
    await addUser('alice');
    await expect(signIn('alice', rolloutClient)).resolves.toMatchObject({ kind: 'accept', username: 'alice' });
    expect(users.recorded.slice(-2)).toEqual(['UnenrolledSignInAllowed', 'AuthenticationSucceeded']);
  });

  it('still refuses the unenrolled user on a reject client, and anyone with a wrong password', async () => {
    await addUser('alice');
    await expect(signIn('alice', rejectClient)).resolves.toMatchObject({ kind: 'reject', reason: 'no_second_factor' });
    await expect(signIn('alice', rolloutClient, 'wrong')).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_credentials' });
    expect(users.recorded).not.toContain('UnenrolledSignInAllowed');
  });

  it('asks an enrolled user for the code even on a first-factor-only client', async () => {
    await addUser('bob', { token: true });
    await expect(signIn('bob', rolloutClient)).resolves.toMatchObject({ kind: 'challenge' });
  });

  it('a bypass lets an enrolled user in without the code until it lapses; --once only once', async () => {
    const bob = await addUser('bob', { token: true });
    grant(bob, 60);
    await expect(signIn('bob', rejectClient)).resolves.toMatchObject({ kind: 'accept' });
    await expect(signIn('bob', rejectClient)).resolves.toMatchObject({ kind: 'accept' });
    now += 60_000;
    await expect(signIn('bob', rejectClient)).resolves.toMatchObject({ kind: 'challenge' });
    grant(bob, 60, true);
    await expect(signIn('bob', rejectClient)).resolves.toMatchObject({ kind: 'accept' });
    await expect(signIn('bob', rejectClient)).resolves.toMatchObject({ kind: 'challenge' });
    expect(users.recorded.filter((t) => t === 'UserBypassUsed')).toHaveLength(3);
  });

  it('never waives both factors: a client without a first factor ignores the rollout policy and bypasses', async () => {
    const alice = await addUser('alice');
    grant(alice, 60);
    const none: EngineClient = { clientId: 'wifi', firstFactor: new NoFirstFactor(), unenrolled: 'first-factor-only' };
    await expect(signIn('alice', none, '')).resolves.toMatchObject({ kind: 'reject', reason: 'no_second_factor' });
    // The SDK: ADFS checked the password itself.
    await expect(signIn('alice', { ...none, firstFactorCheckedByCaller: true }, '')).resolves.toMatchObject({ kind: 'accept' });
  });
});
