import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthMethod, base32Decode, base32Encode, DomainEvent, makeEvent, SealContext, SecretBox } from '@twofold/domain';
import { Argon2idHasher, TEST_ARGON2ID_PARAMS } from '../hashing/argon2id-hasher';
import { KeyedHashVerifier } from '../hashing/keyed-hash-verifier';
import { generateHotp, generateTotp } from '../oath/oath';
import { StateSealer } from '../sealed-state/state-sealer';
import { FileDeliveryProvider, readFileDeliveries } from '../delivery/file-delivery-provider';
import { DeliveryError } from '../delivery/delivery.error';
import { DeliveryProvider } from '../delivery/delivery-provider';
import { LocalPasswordFirstFactor } from '../first-factor/local-password';
import { NoFirstFactor } from '../first-factor/first-factor';
import { ApprovalBroker } from './approval-broker';
import { AuthenticationEngine, AuthOutcome, openApprovalId } from './authentication-engine';
import { EngineClient, UserDirectory } from './engine.ports';
import { MemoryUsers } from '../testing/memory-users';

const hasher = new Argon2idHasher(TEST_ARGON2ID_PARAMS);
const box = new SecretBox('k1', randomBytes(32));
// As the server wires it: hashes in the log are sealed with the cluster key.
const verifier = new KeyedHashVerifier(hasher, box);


const clock = { now: Date.UTC(2025, 5, 1, 12, 0, 10) };
let users: MemoryUsers;
let sealer: StateSealer;
let broker: ApprovalBroker;
let deliveryPath: string;
let delivery: DeliveryProvider;
let sut: AuthenticationEngine;

const passwordClient: EngineClient = { clientId: 'vpn', firstFactor: new LocalPasswordFirstFactor(verifier) };
const noneClient: EngineClient = { clientId: 'wifi', firstFactor: new NoFirstFactor() };

// unkeyed: write the hashes as schema v1 did (bare argon2id), as in a log from before the upgrade.
interface UserSpec { method?: AuthMethod; password?: string; pin?: string; token?: 'totp' | 'hotp'; phone?: string; unkeyed?: boolean }

async function addUser(username: string, spec: UserSpec = {}): Promise<{ userId: string; seed: Buffer }> {
  const userId = `u-${username}`;
  const seed = randomBytes(20);
  const events: DomainEvent[] = [makeEvent('UserCreated', {
    userId, username, displayName: username, contact: { email: null, phones: spec.phone ? [{ label: 'mobile', number: spec.phone }] : [] },
    preferredMethod: spec.method ?? 'totp', language: 'en',
  })];
  const keyed = async (plain: string, context: string) => (spec.unkeyed ? hasher.hash(plain) : box.seal(await hasher.hash(plain), context));
  if (spec.password) events.push(makeEvent('UserPasswordSet', { userId, passwordHash: await keyed(spec.password, SealContext.passwordHash(userId)) }));
  if (spec.pin) events.push(makeEvent('UserPinSet', { userId, pinHash: await keyed(spec.pin, SealContext.pinHash(userId)) }));
  if (spec.token) {
    events.push(makeEvent('OathTokenAssigned', {
      userId, tokenId: 't1', kind: spec.token, algorithm: 'SHA1', digits: 6, period: 30, counter: 0, label: '',
      seed: box.seal(base32Encode(seed), SealContext.oathSeed(userId, 't1')),
    }));
  }
  users.apply(userId, events);
  return { userId, seed };
}

const totp = (seed: Buffer, offsetSteps = 0) => generateTotp(seed, clock.now + offsetSteps * 30_000);

beforeEach(() => {
  clock.now = Date.UTC(2025, 5, 1, 12, 0, 10);
  users = new MemoryUsers(() => new Date(clock.now));
  sealer = new StateSealer({ keyId: 'c1', key: randomBytes(32) });
  broker = new ApprovalBroker();
  deliveryPath = join(mkdtempSync(join(tmpdir(), 'twofold-engine-')), 'deliveries.jsonl');
  delivery = new FileDeliveryProvider(deliveryPath);
  sut = new AuthenticationEngine({
    directory: users, security: users, hasher: verifier, sealer, approvals: broker, clock: () => clock.now, outOfBandTimeoutMs: 2000,
    delivery: { send: (m) => delivery.send(m) },
    openSeed: (userId, t) => base32Decode(box.open(t.seed, SealContext.oathSeed(userId, t.tokenId))),
  });
});

const src = 'radius:test';

function expectChallenge(outcome: AuthOutcome): Extract<AuthOutcome, { kind: 'challenge' }> {
  expect(outcome.kind).toBe('challenge');
  return outcome as Extract<AuthOutcome, { kind: 'challenge' }>;
}

// A directory that reads a sign-in's user, state and settings together (the server's read model).
const oneRead = (u: MemoryUsers): UserDirectory => ({
  findUserByUsername: (n) => u.findUserByUsername(n),
  getUserState: (id) => u.getUserState(id),
  getSettings: () => u.getSettings(),
  async findSignIn(n) {
    const found = await u.findUserByUsername(n);
    return found && { userId: found.userId, state: await u.getUserState(found.userId), settings: await u.getSettings() };
  },
});

describe.each(['one read per call', 'findSignIn'])('AuthenticationEngine (directory: %s)', (mode) => {
  beforeEach(() => {
    if (mode === 'findSignIn') sut = new AuthenticationEngine({ ...(sut as unknown as { deps: ConstructorParameters<typeof AuthenticationEngine>[0] }).deps, directory: oneRead(users) });
  });

  it('accepts password + TOTP in one request, once', async () => {
    const { seed } = await addUser('alice', { password: 'correct horse', token: 'totp' });
    const code = totp(seed);
    await expect(sut.authenticate({ username: 'alice', password: `correct horse${code}`, client: passwordClient, source: src }))
      .resolves.toMatchObject({ kind: 'accept', userId: 'u-alice' });
    const again = await sut.authenticate({ username: 'Alice', password: `correct horse${code}`, client: passwordClient, source: src });
    expect(again).toMatchObject({ kind: 'reject', reason: 'code_replayed' });
    expect((again as { message: string }).message).toMatch(/already been used/);
    expect(users.recorded).toEqual(expect.arrayContaining(['AuthenticationSucceeded', 'AuthenticationFailed']));
  });

  it('challenges after the password and accepts the code with the sealed state, on a fresh engine too', async () => {
    const { seed } = await addUser('bob', { password: 'bob password', token: 'totp' });
    const challenge = expectChallenge(await sut.authenticate({ username: 'bob', password: 'bob password', client: passwordClient, source: src }));
    expect(challenge.prompt).toMatch(/authenticator app/);
    expect(challenge.state.length).toBeLessThanOrEqual(253);
    // Another node: same cluster key, nothing else shared.
    const other = new AuthenticationEngine({ ...(sut as unknown as { deps: ConstructorParameters<typeof AuthenticationEngine>[0] }).deps });
    await expect(other.answerChallenge({ state: challenge.state, response: totp(seed), username: 'bob', client: passwordClient, source: src }))
      .resolves.toMatchObject({ kind: 'accept', userId: 'u-bob' });
  });

  it('accepts a TOTP challenge State once: the next step\'s code with the same State is refused, on any engine', async () => {
    const { seed } = await addUser('bea', { password: 'bea password', token: 'totp' });
    const { state } = expectChallenge(await sut.authenticate({ username: 'bea', password: 'bea password', client: passwordClient, source: src }));
    await expect(sut.answerChallenge({ state, response: totp(seed), client: passwordClient, source: src })).resolves.toMatchObject({ kind: 'accept' });
    clock.now += 30_000;
    await expect(sut.answerChallenge({ state, response: totp(seed), client: passwordClient, source: src })).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_state' });
    const other = new AuthenticationEngine({ ...(sut as unknown as { deps: ConstructorParameters<typeof AuthenticationEngine>[0] }).deps });
    await expect(other.answerChallenge({ state, response: totp(seed, 1), client: passwordClient, source: src })).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_state' });
    expect(users.recorded.filter((t) => t === 'OtpChallengeConsumed')).toHaveLength(1);
    // A new State still works with a fresh code.
    const next = expectChallenge(await sut.authenticate({ username: 'bea', password: 'bea password', client: passwordClient, source: src }));
    await expect(sut.answerChallenge({ state: next.state, response: totp(seed, 1), client: passwordClient, source: src })).resolves.toMatchObject({ kind: 'accept' });
  });

  it('rejects a state that was tampered with, expired, or issued to another client or user', async () => {
    const { seed } = await addUser('carol', { password: 'carol password', token: 'totp' });
    await addUser('dave', { password: 'dave password', token: 'totp' });
    const { state } = expectChallenge(await sut.authenticate({ username: 'carol', password: 'carol password', client: passwordClient, source: src }));
    const tampered = Buffer.from(state);
    tampered[tampered.length - 1] ^= 1;
    const answer = (s: Buffer, extra: Partial<{ client: EngineClient; username: string }> = {}) =>
      sut.answerChallenge({ state: s, response: totp(seed), client: passwordClient, source: src, ...extra });
    await expect(answer(tampered)).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_state' });
    await expect(answer(state, { client: noneClient })).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_state' });
    await expect(answer(state, { username: 'dave' })).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_state' });
    clock.now += 301_000;
    await expect(answer(state)).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_state' });
  });

  it('counts failures, locks the account with a clear message, and unlocks by itself', async () => {
    users.settings = { ...users.settings, lockout: { failuresBeforeLockout: 3, resetCounterMinutes: 10, autoUnlockMinutes: 15 } };
    const { seed } = await addUser('erin', { password: 'erin password', token: 'totp' });
    const attempt = (password: string) => sut.authenticate({ username: 'erin', password, client: passwordClient, source: src });
    await expect(attempt('wrong one')).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_credentials', message: 'Authentication failed.' });
    await expect(attempt('wrong two')).resolves.toMatchObject({ reason: 'invalid_credentials' });
    const third = await attempt('wrong three');
    expect(third).toMatchObject({ kind: 'reject', reason: 'user_locked' });
    expect((third as { message: string }).message).toMatch(/locked .* until 2025-06-01T12:15:10Z/);
    // Even the right password and code are refused while locked.
    await expect(attempt(`erin password${totp(seed)}`)).resolves.toMatchObject({ reason: 'user_locked' });
    clock.now += 16 * 60_000;
    await expect(attempt(`erin password${totp(seed)}`)).resolves.toMatchObject({ kind: 'accept' });
  });

  it('reads the lockout a failure caused from the recorder\'s answer: the user is loaded once per attempt', async () => {
    users.settings = { ...users.settings, lockout: { failuresBeforeLockout: 1, resetCounterMinutes: 10, autoUnlockMinutes: 15 } };
    await addUser('gina', { password: 'gina password', token: 'totp' });
    const loads: string[] = [];
    const directory: UserDirectory = {
      findUserByUsername: (u) => users.findUserByUsername(u),
      getUserState: (id) => { loads.push(id); return users.getUserState(id); },
      getSettings: () => users.getSettings(),
    };
    const engine = new AuthenticationEngine({ ...(sut as unknown as { deps: ConstructorParameters<typeof AuthenticationEngine>[0] }).deps, directory });
    const answer = await engine.authenticate({ username: 'gina', password: 'wrong', client: passwordClient, source: src });
    expect(answer).toMatchObject({ kind: 'reject', reason: 'user_locked', message: expect.stringMatching(/until 2025-06-01T12:15:10Z/) });
    expect(loads).toEqual(['u-gina']);
  });

  it('tells a blocked or disabled user why', async () => {
    await addUser('frank', { password: 'frank password', token: 'totp' });
    await users.reportFraud('u-frank', 'fraud');
    await expect(sut.authenticate({ username: 'frank', password: 'frank password', client: passwordClient, source: src }))
      .resolves.toMatchObject({ kind: 'reject', reason: 'user_blocked', message: expect.stringMatching(/blocked after a fraud report/) });
    await addUser('gina', { password: 'gina password', token: 'totp' });
    users.apply('u-gina', [makeEvent('UserDisabled', { userId: 'u-gina' })]);
    await expect(sut.authenticate({ username: 'gina', password: 'gina password', client: passwordClient, source: src }))
      .resolves.toMatchObject({ reason: 'user_disabled' });
  });

  it('gives unknown users the same answer as a wrong password', async () => {
    await expect(sut.authenticate({ username: 'nobody', password: 'x', client: passwordClient, source: src }))
      .resolves.toEqual({ kind: 'reject', reason: 'unknown_user', message: 'Authentication failed.' });
  });

  it('sends an SMS code, keeps only its hash in the state, and accepts it once', async () => {
    await addUser('hank', { password: 'hank password', method: 'sms', phone: '+15550100' });
    const challenge = expectChallenge(await sut.authenticate({ username: 'hank', password: 'hank password', client: passwordClient, source: src }));
    expect(challenge.prompt).toMatch(/ending in 00/);
    const [sms] = await readFileDeliveries(deliveryPath);
    expect(sms).toMatchObject({ channel: 'sms', to: '+15550100', userId: 'u-hank' });
    const code = /\d{6}/.exec(sms.text)![0];
    expect(challenge.state.includes(Buffer.from(code))).toBe(false);
    await expect(sut.answerChallenge({ state: challenge.state, response: '000000' === code ? '111111' : '000000', client: passwordClient, source: src }))
      .resolves.toMatchObject({ reason: 'invalid_code' });
    const second = expectChallenge(await sut.authenticate({ username: 'hank', password: 'hank password', client: passwordClient, source: src }));
    const code2 = /\d{6}/.exec((await readFileDeliveries(deliveryPath))[1].text)![0];
    await expect(sut.answerChallenge({ state: second.state, response: code2, client: passwordClient, source: src })).resolves.toMatchObject({ kind: 'accept' });
    await expect(sut.answerChallenge({ state: second.state, response: code2, client: passwordClient, source: src })).resolves.toMatchObject({ reason: 'invalid_state' });
  });

  it('turns a delivery failure into a reject with a message, never a hang', async () => {
    await addUser('ivy', { password: 'ivy password', method: 'sms', phone: '+15550101' });
    delivery = { send: async () => { throw new DeliveryError('delivery_timeout', 'gateway did not answer'); } };
    await expect(sut.authenticate({ username: 'ivy', password: 'ivy password', client: passwordClient, source: src }))
      .resolves.toMatchObject({ kind: 'reject', reason: 'delivery_failed', message: expect.stringMatching(/could not be sent/) });
  });

  it('checks the PIN with the code: appended without a password, or at the challenge', async () => {
    const { seed } = await addUser('jack', { pin: '4812', token: 'totp' });
    await expect(sut.authenticate({ username: 'jack', password: `4813${totp(seed)}`, client: noneClient, source: src })).resolves.toMatchObject({ reason: 'invalid_code' });
    await expect(sut.authenticate({ username: 'jack', password: `4812${totp(seed)}`, client: noneClient, source: src })).resolves.toMatchObject({ kind: 'accept' });
    const challenge = expectChallenge(await sut.authenticate({ username: 'jack', password: '', client: noneClient, source: src }));
    expect(challenge.prompt).toMatch(/PIN followed by/);
    await expect(sut.answerChallenge({ state: challenge.state, response: totp(seed, 1), client: noneClient, source: src })).resolves.toMatchObject({ kind: 'reject' });
    await expect(sut.answerChallenge({ state: challenge.state, response: `4812${totp(seed, 1)}`, client: noneClient, source: src })).resolves.toMatchObject({ kind: 'accept' });
  });

  it('never tells which of PIN and code was right: wrong PIN + right code reads like right PIN + wrong code', async () => {
    const { seed } = await addUser('kurt', { pin: '4812', token: 'totp' });
    const { state } = expectChallenge(await sut.authenticate({ username: 'kurt', password: '', client: noneClient, source: src }));
    const answer = (response: string) => sut.answerChallenge({ state, response, client: noneClient, source: src });
    const wrongPin = await answer(`4813${totp(seed)}`);
    const wrongCode = await answer(`4812${totp(seed) === '000000' ? '111111' : '000000'}`);
    expect(wrongPin).toEqual(wrongCode);
    expect(wrongPin).toMatchObject({ kind: 'reject', reason: 'invalid_code', message: 'Authentication failed.' });
    const inlineWrongPin = await sut.authenticate({ username: 'kurt', password: `4813${totp(seed)}`, client: noneClient, source: src });
    expect(inlineWrongPin).toEqual(wrongCode);
    // The audit log still says what failed.
    expect(users.states.get('u-kurt')!.recentFailures).toHaveLength(3);
    await expect(answer(`4812${totp(seed)}`)).resolves.toMatchObject({ kind: 'accept' });
  });

  it('splits password, PIN and code in one request', async () => {
    const { seed } = await addUser('kate', { password: 'kate pass 12', pin: '90817', token: 'totp' });
    await expect(sut.authenticate({ username: 'kate', password: `kate pass 1290817${totp(seed)}`, client: passwordClient, source: src })).resolves.toMatchObject({ kind: 'accept' });
  });

  it('still accepts the unkeyed PIN and password of a user set up before hashes were sealed', async () => {
    const { seed } = await addUser('olga', { password: 'olga pass 12', pin: '90817', token: 'totp', unkeyed: true });
    await expect(sut.authenticate({ username: 'olga', password: `olga pass 1290818${totp(seed)}`, client: passwordClient, source: src })).resolves.toMatchObject({ kind: 'reject' });
    await expect(sut.authenticate({ username: 'olga', password: `olga pass 1290817${totp(seed, 1)}`, client: passwordClient, source: src })).resolves.toMatchObject({ kind: 'accept' });
  });

  it('refuses a sealed PIN hash copied from another user', async () => {
    const { seed } = await addUser('pete', { pin: '4812', token: 'totp' });
    const quinSeed = (await addUser('quin', { token: 'totp' })).seed;
    const peteHash = users.states.get('u-pete')!.pinHash!;
    users.apply('u-quin', [makeEvent('UserPinSet', { userId: 'u-quin', pinHash: peteHash })]);
    await expect(sut.authenticate({ username: 'quin', password: `4812${totp(quinSeed)}`, client: noneClient, source: src })).resolves.toMatchObject({ kind: 'reject' });
    await expect(sut.authenticate({ username: 'pete', password: `4812${totp(seed)}`, client: noneClient, source: src })).resolves.toMatchObject({ kind: 'accept' });
  });

  it('accepts HOTP codes within the look-ahead, each once', async () => {
    const { seed } = await addUser('liam', { password: 'liam password', token: 'hotp' });
    const code = generateHotp(seed, 3);
    await expect(sut.authenticate({ username: 'liam', password: `liam password${code}`, client: passwordClient, source: src })).resolves.toMatchObject({ kind: 'accept' });
    await expect(sut.authenticate({ username: 'liam', password: `liam password${code}`, client: passwordClient, source: src })).resolves.toMatchObject({ kind: 'reject' });
    await expect(sut.authenticate({ username: 'liam', password: `liam password${generateHotp(seed, 4)}`, client: passwordClient, source: src })).resolves.toMatchObject({ kind: 'accept' });
  });

  it('holds a push until approved, denied or timed out', async () => {
    await addUser('mia', { password: 'mia password', method: 'push' });
    let seen = 0;
    const approve = async (decision: 'approved' | 'denied') => {
      for (;;) {
        const sent = await readFileDeliveries(deliveryPath);
        if (sent.length > seen) {
          seen = sent.length;
          expect(sent[sent.length - 1]).toMatchObject({ channel: 'push', to: 'mia' });
          const { approvalKey, userId } = openApprovalId(sealer, sent[sent.length - 1].approvalId!, clock.now);
          expect(userId).toBe('u-mia');
          broker.decide(approvalKey, decision);
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const run = () => sut.authenticate({ username: 'mia', password: 'mia password', client: passwordClient, source: src });
    const [approved] = await Promise.all([run(), approve('approved')]);
    expect(approved).toMatchObject({ kind: 'accept' });
    const [denied] = await Promise.all([run(), approve('denied')]);
    expect(denied).toMatchObject({ kind: 'reject', reason: 'approval_denied' });
    await expect(run()).resolves.toMatchObject({ kind: 'reject', reason: 'approval_timeout' });
    expect(broker.waiting).toBe(0);
  });

  it('signs in on the first factor and the caller\'s step (an invitation code): gated, a wrong password or step counted, a step that does not count recorded nowhere', async () => {
    users.settings = { ...users.settings, lockout: { failuresBeforeLockout: 3, resetCounterMinutes: 10, autoUnlockMinutes: 15 } };
    await addUser('nora', { password: 'nora password' });
    const steps: string[] = [];
    const signIn = (password: string, step: 'ok' | 'wrong' | 'used' = 'ok') => sut.signInWithFirstFactor({ username: 'Nora', password, client: passwordClient, source: src }, async (userId) => {
      steps.push(userId);
      if (step === 'ok') return null;
      return step === 'wrong' ? { reason: 'invalid_code', message: 'The invitation code is not valid or has expired.' } : { reason: 'code_replayed', counts: false };
    });
    await expect(signIn('nora password')).resolves.toMatchObject({ kind: 'accept', userId: 'u-nora', username: 'nora' });
    await expect(signIn('wrong')).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_credentials', message: 'Authentication failed.' });
    expect(steps).toEqual(['u-nora']); // a wrong password never reaches the step
    const before = users.recorded.length;
    await expect(signIn('nora password', 'used')).resolves.toMatchObject({ kind: 'reject', reason: 'code_replayed' });
    expect(users.recorded.length).toBe(before);
    await expect(signIn('nora password', 'wrong')).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_code', message: 'The invitation code is not valid or has expired.' });
    // The third failure locks the account, and the sign-in says so; from then on the gate refuses first.
    await expect(signIn('wrong again')).resolves.toMatchObject({ kind: 'reject', reason: 'user_locked', message: expect.stringMatching(/until 2025-06-01T12:15:10Z/) });
    await expect(signIn('nora password')).resolves.toMatchObject({ kind: 'reject', reason: 'user_locked' });
    await expect(sut.signInWithFirstFactor({ username: 'nobody', password: 'x', client: passwordClient, source: src }, async () => null))
      .resolves.toMatchObject({ kind: 'reject', reason: 'unknown_user' });
    expect(steps).toHaveLength(3);
  });

  it('answers an internal failure with a reject instead of throwing', async () => {
    users.findUserByUsername = async () => { throw new Error('database is gone'); };
    await expect(sut.authenticate({ username: 'x', password: 'y', client: passwordClient, source: src })).resolves.toMatchObject({ kind: 'reject', reason: 'internal_error' });
  });
});
