import { randomBytes } from 'node:crypto';
import { base32Decode, base32Encode, DomainEvent, makeEvent, SealContext, SecretBox, AuthMethod } from '@twofold/domain';
import { Argon2idHasher, TEST_ARGON2ID_PARAMS } from '../hashing/argon2id-hasher';
import { KeyedHashVerifier } from '../hashing/keyed-hash-verifier';
import { generateTotp } from '../oath/oath';
import { StateSealer } from '../sealed-state/state-sealer';
import { DeliveryMessage } from '../delivery/delivery-provider';
import { NoFirstFactor } from '../first-factor/first-factor';
import { ApprovalBroker } from './approval-broker';
import { AuthenticationEngine, AuthenticationEngineDeps, openApprovalId, StartOutcome } from './authentication-engine';
import { ApprovalDecision, EngineClient } from './engine.ports';
import { ApprovalDecisionLog, CANCELLED_SOURCE_PREFIX, PendingOutcome, RecordedDecision } from './out-of-band-polling';
import { MemoryUsers } from '../testing/memory-users';

const hasher = new Argon2idHasher(TEST_ARGON2ID_PARAMS);
const box = new SecretBox('k1', randomBytes(32));
const clock = { now: Date.UTC(2025, 5, 1, 12, 0, 10) };


// The log's approval streams, in memory: one decision per key, waiters woken on write.
class MemoryDecisions implements ApprovalDecisionLog {
  decisions = new Map<string, RecordedDecision>();
  private waiters = new Map<string, Array<() => void>>();

  async read(key: string) { return this.decisions.get(key) ?? null; }
  waitForChange(key: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.set(key, [...(this.waiters.get(key) ?? []), () => { clearTimeout(timer); resolve(); }]);
    });
  }
  decide(key: string, decision: ApprovalDecision, source = 'admin:test') {
    if (this.decisions.has(key)) return this.decisions.get(key)!;
    this.decisions.set(key, { decision, source });
    for (const wake of this.waiters.get(key) ?? []) wake();
    this.waiters.delete(key);
    return null;
  }
  async cancel(key: string, _userId: string, source: string) { return this.decide(key, 'denied', source); }
}

let users: MemoryUsers;
let decisions: MemoryDecisions;
let sent: DeliveryMessage[];
let deps: AuthenticationEngineDeps;
let sut: AuthenticationEngine;
const app: EngineClient = { clientId: 'sdk-portal', firstFactor: new NoFirstFactor() };
const other: EngineClient = { clientId: 'sdk-other', firstFactor: new NoFirstFactor() };
const src = 'sdk:test';

async function addUser(username: string, spec: { method?: AuthMethod; pin?: string; token?: boolean; phone?: string } = {}) {
  const userId = `u-${username}`;
  const seed = randomBytes(20);
  const events: DomainEvent[] = [makeEvent('UserCreated', {
    userId, username, displayName: username, contact: { email: null, phones: spec.phone ? [{ label: 'mobile', number: spec.phone }] : [] },
    preferredMethod: spec.method ?? 'push', language: 'en',
  })];
  if (spec.pin) events.push(makeEvent('UserPinSet', { userId, pinHash: box.seal(await hasher.hash(spec.pin), SealContext.pinHash(userId)) }));
  if (spec.token) {
    events.push(makeEvent('OathTokenAssigned', {
      userId, tokenId: 't1', kind: 'totp', algorithm: 'SHA1', digits: 6, period: 30, counter: 0, label: '',
      seed: box.seal(base32Encode(seed), SealContext.oathSeed(userId, 't1')),
    }));
  }
  users.apply(userId, events);
  return { userId, seed };
}

function pending(outcome: StartOutcome): PendingOutcome {
  expect(outcome.kind).toBe('pending');
  return outcome as PendingOutcome;
}

const keyOf = (message: DeliveryMessage) => openApprovalId(deps.sealer, message.approvalId!, clock.now).approvalKey;

beforeEach(() => {
  clock.now = Date.UTC(2025, 5, 1, 12, 0, 10);
  users = new MemoryUsers(() => new Date(clock.now));
  decisions = new MemoryDecisions();
  sent = [];
  deps = {
    directory: users, security: users, hasher: new KeyedHashVerifier(hasher, box), sealer: new StateSealer({ keyId: 'c1', key: randomBytes(32) }), approvals: new ApprovalBroker(),
    clock: () => clock.now, outOfBandTimeoutMs: 2000,
    delivery: { send: async (m) => { sent.push(m); return { providerMessageId: String(sent.length) }; } },
    openSeed: (userId, t) => base32Decode(box.open(t.seed, SealContext.oathSeed(userId, t.tokenId))),
  };
  sut = new AuthenticationEngine(deps);
});

describe('polled out-of-band authentication', () => {
  it('answers a push at once with a handle, and any engine with the cluster key finishes it after the approval', async () => {
    await addUser('amy');
    const started = pending(await sut.start({ username: 'amy', client: app, source: src, application: 'Payroll' }, { approvalWindowMs: 60_000 }));
    expect(started).toMatchObject({ method: 'push', expiresAt: clock.now + 60_000 });
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toBe('Sign-in request for amy to Payroll: approve or deny.');
    expect((await sut.pollOutOfBand({ handle: started.handle, client: app, source: src, decisions })).kind).toBe('pending');

    decisions.decide(keyOf(sent[0]), 'approved');
    const otherNode = new AuthenticationEngine(deps);
    await expect(otherNode.pollOutOfBand({ handle: started.handle, client: app, source: src, decisions }))
      .resolves.toMatchObject({ kind: 'accept', userId: 'u-amy', username: 'amy' });
    expect(users.recorded.filter((t) => t === 'AuthenticationSucceeded')).toHaveLength(1);
    // The handle belongs to the credential that started it.
    await expect(otherNode.pollOutOfBand({ handle: started.handle, client: other, source: src, decisions })).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_state' });
  });

  it('accepts an approved handle once: a second poll, here or on another engine, is refused', async () => {
    await addUser('ada');
    const { handle } = pending(await sut.start({ username: 'ada', client: app, source: src }, { approvalWindowMs: 60_000 }));
    decisions.decide(keyOf(sent[0]), 'approved');
    await expect(sut.pollOutOfBand({ handle, client: app, source: src, decisions })).resolves.toMatchObject({ kind: 'accept' });
    await expect(sut.pollOutOfBand({ handle, client: app, source: src, decisions })).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_state' });
    await expect(new AuthenticationEngine(deps).pollOutOfBand({ handle, client: app, source: src, decisions })).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_state' });
    expect(users.recorded.filter((t) => t === 'AuthenticationSucceeded')).toHaveLength(1);
  });

  it('long-polls until the decision arrives', async () => {
    await addUser('ben');
    const { handle } = pending(await sut.start({ username: 'ben', client: app, source: src }, { approvalWindowMs: 60_000 }));
    const polled = sut.pollOutOfBand({ handle, client: app, source: src, decisions, waitMs: 5_000 });
    setTimeout(() => decisions.decide(keyOf(sent[0]), 'approved'), 20);
    await expect(polled).resolves.toMatchObject({ kind: 'accept' });
  });

  it('counts a denial once per node however often the finished handle is polled', async () => {
    await addUser('cid');
    const { handle } = pending(await sut.start({ username: 'cid', client: app, source: src }));
    decisions.decide(keyOf(sent[0]), 'denied');
    for (let i = 0; i < 3; i++) await expect(sut.pollOutOfBand({ handle, client: app, source: src, decisions })).resolves.toMatchObject({ kind: 'reject', reason: 'approval_denied' });
    expect(users.recorded.filter((t) => t === 'AuthenticationFailed')).toHaveLength(1);
  });

  it('cancels: later polls say cancelled and count nothing; a decided approval cannot be cancelled', async () => {
    await addUser('dot');
    const first = pending(await sut.start({ username: 'dot', client: app, source: src }));
    await expect(sut.cancelOutOfBand({ handle: first.handle, client: app, source: src, decisions })).resolves.toEqual({ kind: 'cancelled', userId: 'u-dot' });
    expect(decisions.decisions.get(keyOf(sent[0]))!.source).toBe(`${CANCELLED_SOURCE_PREFIX}${src}`);
    await expect(sut.pollOutOfBand({ handle: first.handle, client: app, source: src, decisions })).resolves.toMatchObject({ kind: 'reject', reason: 'approval_cancelled' });
    await expect(sut.cancelOutOfBand({ handle: first.handle, client: app, source: src, decisions })).resolves.toEqual({ kind: 'cancelled', userId: 'u-dot' });

    const second = pending(await sut.start({ username: 'dot', client: app, source: src }));
    decisions.decide(keyOf(sent[1]), 'approved');
    await expect(sut.cancelOutOfBand({ handle: second.handle, client: app, source: src, decisions }))
      .resolves.toEqual({ kind: 'already_decided', userId: 'u-dot', decision: 'approved' });
    expect(users.recorded).not.toContain('AuthenticationFailed');
    await expect(sut.cancelOutOfBand({ handle: 'garbage', client: app, source: src, decisions })).resolves.toEqual({ kind: 'invalid_state' });
  });

  it('times out when nobody decides within the window, and refuses a handle past its grace period', async () => {
    await addUser('eve');
    const { handle } = pending(await sut.start({ username: 'eve', client: app, source: src }));
    clock.now += 2_001;
    await expect(sut.pollOutOfBand({ handle, client: app, source: src, decisions, waitMs: 10_000 })).resolves.toMatchObject({ kind: 'reject', reason: 'approval_timeout' });
    clock.now += 10 * 60_000;
    await expect(new AuthenticationEngine(deps).pollOutOfBand({ handle, client: app, source: src, decisions })).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_state' });
  });

  it('a fraud decision rejects as fraud; a user blocked meanwhile is not accepted', async () => {
    await addUser('fay');
    const a = pending(await sut.start({ username: 'fay', client: app, source: src }));
    decisions.decide(keyOf(sent[0]), 'fraud');
    await expect(sut.pollOutOfBand({ handle: a.handle, client: app, source: src, decisions })).resolves.toMatchObject({ kind: 'reject', reason: 'fraud_reported' });
    const b = pending(await sut.start({ username: 'fay', client: app, source: src }));
    await users.reportFraud('u-fay', 'test');
    decisions.decide(keyOf(sent[1]), 'approved');
    await expect(sut.pollOutOfBand({ handle: b.handle, client: app, source: src, decisions })).resolves.toMatchObject({ kind: 'reject', reason: 'user_blocked' });
  });
});

describe('SDK start options', () => {
  it('uses a named method instead of the default, and checks a PIN given up front before anything is sent', async () => {
    const { seed } = await addUser('gil', { method: 'push', pin: '4826', token: true });
    await expect(sut.start({ username: 'gil', client: app, source: src, method: 'totp', pin: '0000' })).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_pin' });
    expect(users.recorded).toContain('AuthenticationFailed');
    const challenge = await sut.start({ username: 'gil', client: app, source: src, method: 'totp', pin: '4826' });
    expect(challenge).toMatchObject({ kind: 'challenge', method: 'oath', prompt: 'Enter the code from your authenticator app.' });
    expect(sent).toHaveLength(0);
    const state = (challenge as { state: Buffer }).state;
    // PIN already checked: the code alone answers; PIN + code would not.
    await expect(sut.answerChallenge({ state, response: `4826${generateTotp(seed, clock.now)}`, client: app, source: src })).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_code' });
    await expect(sut.answerChallenge({ state, response: generateTotp(seed, clock.now), client: app, source: src })).resolves.toMatchObject({ kind: 'accept' });
  });

  it('without the PIN up front, the answer is PIN followed by the code', async () => {
    const { seed } = await addUser('hal', { method: 'totp', pin: '4826', token: true });
    const challenge = await sut.start({ username: 'hal', client: app, source: src });
    expect(challenge).toMatchObject({ kind: 'challenge', prompt: 'Enter your PIN followed by the code from your authenticator app.' });
    const state = (challenge as { state: Buffer }).state;
    await expect(sut.answerChallenge({ state, response: `4826${generateTotp(seed, clock.now)}`, client: app, source: src })).resolves.toMatchObject({ kind: 'accept' });
  });

  it('names the application in the SMS', async () => {
    await addUser('ida', { method: 'totp', phone: '+15550100' });
    await expect(sut.start({ username: 'ida', client: app, source: src, method: 'sms', application: 'Payroll' })).resolves.toMatchObject({ kind: 'challenge', method: 'sms' });
    expect(sent[0].text).toMatch(/^Your sign-in code for Payroll is \d{6}$/);
  });

  it('checks a PIN alone: right, wrong (counted), none set, unknown user', async () => {
    await addUser('jon', { pin: '4826' });
    await addUser('kim');
    await expect(sut.checkPin({ username: 'JON', pin: '4826', client: app, source: src })).resolves.toMatchObject({ kind: 'accept', userId: 'u-jon' });
    await expect(sut.checkPin({ username: 'jon', pin: '1111', client: app, source: src })).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_pin' });
    expect(users.states.get('u-jon')!.recentFailures).toHaveLength(1);
    await expect(sut.checkPin({ username: 'kim', pin: '4826', client: app, source: src })).resolves.toMatchObject({ kind: 'reject', reason: 'invalid_pin', message: 'No PIN is set for this account.' });
    await expect(sut.checkPin({ username: 'nobody', pin: '4826', client: app, source: src })).resolves.toMatchObject({ kind: 'reject', reason: 'unknown_user' });
  });
});
