import { randomBytes } from 'node:crypto';
import { base32Encode } from '../crypto/base32';
import { SealContext, SecretBox } from '../crypto/secret-box';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { toRecord } from '../events/event-record';
import { OathTokenAssigned, UserEvent } from './user.events';
import { DEFAULT_SETTINGS } from '../settings/default-settings';
import {
  AssignOathToken, BlockUserForFraud, ClearPin, CreateUser, DeleteUser, DisableUser, EnableUser, LockUser,
  RecordFailedAuthentication, RecordOathCodeUsed, RecordSuccessfulAuthentication, RemoveOathToken, SetPassword, SetPin,
  UnblockUser, UnlockUser, UpdateUser, UserCommand,
} from './user.commands';
import { decideCreateUser, decideUser, UserDecideContext } from './user.decide';
import { isBlocked, isLockedOut } from './user.policies';
import { foldUser, INITIAL_USER_STATE, openUserContact, UserState } from './user.state';
import { thrown } from '../testing/thrown';

const now = new Date('2025-03-01T12:00:00.000Z');
const sealer = new SecretBox('k1', randomBytes(32));
const ctx: UserDecideContext = { now, settings: DEFAULT_SETTINGS, usernameTaken: false, pinHash: '$argon2id$pin', passwordHash: '$argon2id$pw', sealer };

// Decide, then fold the events back the way they come from the log (payload records) and open the
// contact, as the write side does.
function run(state: UserState, command: UserCommand, context: Partial<UserDecideContext> = {}): { state: UserState; events: UserEvent[] } {
  const events = decideUser(state, command, { ...ctx, ...context });
  return { state: openUserContact(foldUser(events.map(toRecord), state), sealer), events };
}

const codeOf = (fn: () => unknown): DomainErrorCode => thrown(DomainError, fn).code;

const alice = () => run(INITIAL_USER_STATE, CreateUser.create({ userId: 'u1', username: 'Alice', phones: [{ number: '+15551234567' }] })).state;

describe('user lifecycle', () => {
  it('creates a user with the default method from settings and display name from username', () => {
    const { state, events } = run(INITIAL_USER_STATE, CreateUser.create({ userId: 'u1', username: 'Alice' }));
    expect(events).toEqual([
      {
        type: 'UserCreated',
        schemaVersion: 2,
        data: { userId: 'u1', username: 'alice', displayName: 'alice', preferredMethod: 'totp', language: 'en', contact: expect.objectContaining({ alg: 'A256GCM' }) },
      },
    ]);
    expect(state).toMatchObject({ version: 1, exists: true, enabled: true, userId: 'u1', profile: { username: 'alice', email: null, phones: [] } });
  });

  it('refuses a username the read model says is taken', () => {
    expect(codeOf(() => decideCreateUser(INITIAL_USER_STATE, CreateUser.create({ username: 'alice' }), { usernameTaken: true, settings: DEFAULT_SETTINGS, sealer })))
      .toBe(DomainErrorCode.DuplicateUsername);
  });

  it('refuses to create over an existing stream', () => {
    expect(codeOf(() => run(alice(), CreateUser.create({ userId: 'u1', username: 'other' })))).toBe(DomainErrorCode.AlreadyExists);
  });

  it('updates only what changed, and nothing when nothing changed', () => {
    const { state, events } = run(alice(), UpdateUser.create({ userId: 'u1', changes: { displayName: 'Alice S', phones: [{ number: '+15551234567' }] } }));
    expect(events).toEqual([{ type: 'UserUpdated', schemaVersion: 2, data: { userId: 'u1', changes: { displayName: 'Alice S' } } }]);
    expect(state.profile?.displayName).toBe('Alice S');
    expect(run(state, UpdateUser.create({ userId: 'u1', changes: { displayName: 'Alice S' } })).events).toEqual([]);
  });

  it('rejects an update made against an older version', () => {
    const state = run(alice(), DisableUser.create({ userId: 'u1' })).state;
    expect(codeOf(() => run(state, UpdateUser.create({ userId: 'u1', changes: { language: 'de' }, expectedVersion: 1 })))).toBe(DomainErrorCode.VersionConflict);
    expect(run(state, UpdateUser.create({ userId: 'u1', changes: { language: 'de' }, expectedVersion: 2 })).events).toHaveLength(1);
  });

  it('rejects every command for an unknown user', () => {
    expect(codeOf(() => run(INITIAL_USER_STATE, DisableUser.create({ userId: 'u1' })))).toBe(DomainErrorCode.UnknownUser);
    expect(codeOf(() => run(alice(), DisableUser.create({ userId: 'someone-else' })))).toBe(DomainErrorCode.UnknownUser);
  });

  it('rejects every command for a deleted user and forgets its secrets', () => {
    let state = run(alice(), SetPin.create({ userId: 'u1', pin: '2580' }, DEFAULT_SETTINGS.pin)).state;
    state = run(state, AssignOathToken.create({ userId: 'u1', tokenId: 't1' })).state;
    state = run(state, DeleteUser.create({ userId: 'u1' })).state;
    expect(state).toMatchObject({ deleted: true, pinHash: null, tokens: [], profile: null });
    const commands: UserCommand[] = [
      UpdateUser.create({ userId: 'u1', changes: { language: 'de' } }),
      SetPin.create({ userId: 'u1', pin: '2580' }, DEFAULT_SETTINGS.pin),
      ClearPin.create({ userId: 'u1' }),
      SetPassword.create({ userId: 'u1', password: 'long enough' }),
      EnableUser.create({ userId: 'u1' }),
      LockUser.create({ userId: 'u1' }),
      AssignOathToken.create({ userId: 'u1' }),
      RecordFailedAuthentication.create({ userId: 'u1', reason: 'x', source: 'y' }),
      RecordSuccessfulAuthentication.create({ userId: 'u1', source: 'y' }),
      DeleteUser.create({ userId: 'u1' }),
    ];
    for (const command of commands) expect(codeOf(() => run(state, command))).toBe(DomainErrorCode.UserDeleted);
  });

  it('sets and clears the PIN and password from hashes the caller prepared, sealed to the user', () => {
    let { state, events } = run(alice(), SetPin.create({ userId: 'u1', pin: '2580' }, DEFAULT_SETTINGS.pin));
    expect(events[0]).toMatchObject({ type: 'UserPinSet', schemaVersion: 2, data: { userId: 'u1', pinHash: expect.objectContaining({ alg: 'A256GCM', keyId: 'k1' }) } });
    expect(JSON.stringify(events)).not.toContain('2580');
    expect(JSON.stringify(events)).not.toContain('$argon2id$');
    expect(sealer.open(state.pinHash as never, SealContext.pinHash('u1'))).toBe('$argon2id$pin');
    expect(() => sealer.open(state.pinHash as never, SealContext.pinHash('u2'))).toThrow(DomainError);
    ({ state } = run(state, ClearPin.create({ userId: 'u1' })));
    expect(state.pinHash).toBeNull();
    expect(run(state, ClearPin.create({ userId: 'u1' })).events).toEqual([]);
    ({ state, events } = run(state, SetPassword.create({ userId: 'u1', password: 'long enough' })));
    expect(sealer.open(state.passwordHash as never, SealContext.passwordHash('u1'))).toBe('$argon2id$pw');
    expect(JSON.stringify(events)).not.toContain('long enough');
    expect(JSON.stringify(events)).not.toContain('$argon2id$');
  });

  it('seals e-mail and phones into the events; the opened state shows them', () => {
    const { state, events } = run(INITIAL_USER_STATE, CreateUser.create({ userId: 'u1', username: 'eve', email: 'eve@example.com', phones: [{ label: 'mobile', number: '+15550100' }] }));
    expect(JSON.stringify(events)).not.toMatch(/eve@example|15550100/);
    expect(foldUser(events)).toMatchObject({ profile: { email: null, phones: [], sealedContact: expect.objectContaining({ alg: 'A256GCM' }) } });
    expect(state.profile).toMatchObject({ email: 'eve@example.com', phones: [{ label: 'mobile', number: '+15550100' }] });
    expect(state.profile).not.toHaveProperty('sealedContact');
    const changed = run(state, UpdateUser.create({ userId: 'u1', changes: { email: 'eve@corp.example' } }));
    expect(JSON.stringify(changed.events)).not.toMatch(/corp\.example|15550100/);
    // The sealed contact is complete: the phones survive a change of e-mail alone.
    expect(changed.state.profile).toMatchObject({ email: 'eve@corp.example', phones: [{ number: '+15550100' }] });
    expect(() => decideUser(foldUser(events), UpdateUser.create({ userId: 'u1', changes: { email: 'x@example.com' } }), ctx)).toThrow(/opened/);
  });

  it('enables and disables idempotently', () => {
    let { state, events } = run(alice(), DisableUser.create({ userId: 'u1' }));
    expect(events.map((e) => e.type)).toEqual(['UserDisabled']);
    expect(run(state, DisableUser.create({ userId: 'u1' })).events).toEqual([]);
    ({ state, events } = run(state, EnableUser.create({ userId: 'u1' })));
    expect(state.enabled).toBe(true);
    expect(run(state, EnableUser.create({ userId: 'u1' })).events).toEqual([]);
  });

  it('locks by an administrator, with or without an end, and unlocks', () => {
    let { state, events } = run(alice(), LockUser.create({ userId: 'u1' }));
    expect(events[0].data).toMatchObject({ until: null, reason: 'locked by an administrator' });
    expect(isLockedOut(state, new Date('2030-01-01T00:00:00Z'))).toBe(true);
    ({ state } = run(state, UnlockUser.create({ userId: 'u1' })));
    expect(isLockedOut(state, now)).toBe(false);
    expect(run(state, UnlockUser.create({ userId: 'u1' })).events).toEqual([]);
    ({ events } = run(state, LockUser.create({ userId: 'u1', minutes: 30 })));
    expect(events[0].data).toMatchObject({ until: '2025-03-01T12:30:00.000Z' });
  });

  it('blocks for fraud for settings.fraud.blockMinutes and unblocks', () => {
    const blocked = run(alice(), BlockUserForFraud.create({ userId: 'u1' }));
    expect(blocked.events[0].data).toEqual({ userId: 'u1', at: now.toISOString(), until: '2025-03-01T13:00:00.000Z', reason: 'fraud reported' });
    expect(isBlocked(blocked.state, now)).toBe(true);
    const { state } = run(blocked.state, UnblockUser.create({ userId: 'u1' }));
    expect(isBlocked(state, now)).toBe(false);
    expect(run(state, UnblockUser.create({ userId: 'u1' })).events).toEqual([]);
  });

  it('records failures through the lockout policy and successes with time and source', () => {
    let state = alice();
    for (let i = 0; i < 4; i++) state = run(state, RecordFailedAuthentication.create({ userId: 'u1', reason: 'bad otp', source: 'radius:c1' })).state;
    expect(state.recentFailures).toHaveLength(4);
    const { state: locked, events } = run(state, RecordFailedAuthentication.create({ userId: 'u1', reason: 'bad otp', source: 'radius:c1' }));
    expect(events.map((e) => e.type)).toEqual(['AuthenticationFailed', 'UserLockedOut']);
    expect(isLockedOut(locked, now)).toBe(true);
    const ok = run(state, RecordSuccessfulAuthentication.create({ userId: 'u1', source: 'sdk:c9' }));
    expect(ok.events[0].data).toEqual({ userId: 'u1', at: now.toISOString(), source: 'sdk:c9' });
    expect(ok.state).toMatchObject({ recentFailures: [], lastAuthenticatedAt: now.toISOString() });
  });
});

describe('OATH tokens', () => {
  it('assigns a token with its seed sealed to this user and token', () => {
    const seed = randomBytes(20);
    const command = AssignOathToken.create({ userId: 'u1', tokenId: 't1', seed: base32Encode(seed), label: 'phone' });
    const { state, events } = run(alice(), command);
    const event = events[0] as OathTokenAssigned;
    expect(event.data).toMatchObject({ userId: 'u1', tokenId: 't1', kind: 'totp', algorithm: 'SHA1', digits: 6, period: 30, counter: 0, label: 'phone' });
    expect(JSON.stringify(event)).not.toContain(base32Encode(seed));
    expect(sealer.open(event.data.seed, SealContext.oathSeed('u1', 't1'))).toBe(base32Encode(seed));
    expect(() => sealer.open(event.data.seed, SealContext.oathSeed('u2', 't1'))).toThrow(DomainError);
    expect(state.tokens).toHaveLength(1);
  });

  it('refuses a duplicate token id and more than ten tokens', () => {
    let state = run(alice(), AssignOathToken.create({ userId: 'u1', tokenId: 't0' })).state;
    expect(codeOf(() => run(state, AssignOathToken.create({ userId: 'u1', tokenId: 't0' })))).toBe(DomainErrorCode.DuplicateToken);
    for (let i = 1; i < 10; i++) state = run(state, AssignOathToken.create({ userId: 'u1', tokenId: `t${i}` })).state;
    expect(codeOf(() => run(state, AssignOathToken.create({ userId: 'u1' })))).toBe(DomainErrorCode.TokenLimit);
  });

  it('removes a known token and rejects an unknown one', () => {
    let state = run(alice(), AssignOathToken.create({ userId: 'u1', tokenId: 't1' })).state;
    expect(codeOf(() => run(state, RemoveOathToken.create({ userId: 'u1', tokenId: 'nope' })))).toBe(DomainErrorCode.UnknownToken);
    state = run(state, RemoveOathToken.create({ userId: 'u1', tokenId: 't1' })).state;
    expect(state.tokens).toEqual([]);
  });

  it('accepts a code step once, never again or older', () => {
    let state = run(alice(), AssignOathToken.create({ userId: 'u1', tokenId: 't1' })).state;
    state = run(state, RecordOathCodeUsed.create({ userId: 'u1', tokenId: 't1', counter: 58000000 })).state;
    expect(codeOf(() => run(state, RecordOathCodeUsed.create({ userId: 'u1', tokenId: 't1', counter: 58000000 })))).toBe(DomainErrorCode.CodeAlreadyUsed);
    expect(codeOf(() => run(state, RecordOathCodeUsed.create({ userId: 'u1', tokenId: 't1', counter: 57999999 })))).toBe(DomainErrorCode.CodeAlreadyUsed);
    expect(run(state, RecordOathCodeUsed.create({ userId: 'u1', tokenId: 't1', counter: 58000001 })).events).toHaveLength(1);
    expect(codeOf(() => run(state, RecordOathCodeUsed.create({ userId: 'u1', tokenId: 'nope', counter: 1 })))).toBe(DomainErrorCode.UnknownToken);
  });

  it('moves an HOTP counter past the used value', () => {
    let state = run(alice(), AssignOathToken.create({ userId: 'u1', tokenId: 'h1', kind: 'hotp', counter: 5 })).state;
    expect(state.tokens[0].counter).toBe(5);
    state = run(state, RecordOathCodeUsed.create({ userId: 'u1', tokenId: 'h1', counter: 7 })).state;
    expect(state.tokens[0]).toMatchObject({ counter: 8, lastUsedCounter: 7 });
  });
});

describe('evolveUser', () => {
  it('folds DomainEvents and payload records alike and counts the stream version', () => {
    const created = decideCreateUser(INITIAL_USER_STATE, CreateUser.create({ userId: 'u1', username: 'bob' }), { usernameTaken: false, settings: DEFAULT_SETTINGS, sealer });
    const fromEvents = foldUser([...created, { type: 'UserDisabled', schemaVersion: 1, data: { userId: 'u1' } }]);
    const fromRecords = foldUser([...created.map(toRecord), { type: 'UserDisabled', schemaVersion: 1, payload: { userId: 'u1' } }]);
    expect(fromRecords).toEqual(fromEvents);
    expect(fromRecords).toMatchObject({ version: 2, enabled: false, profile: { username: 'bob' } });
  });

  it('does not mutate the state it is given', () => {
    const before = alice();
    const snapshot = JSON.parse(JSON.stringify(before));
    run(before, AssignOathToken.create({ userId: 'u1' }));
    run(before, RecordFailedAuthentication.create({ userId: 'u1', reason: 'x', source: 'y' }));
    expect(before).toEqual(snapshot);
  });

  it('refuses an event from a newer schema version than this release knows', () => {
    expect(codeOf(() => foldUser([{ type: 'UserCreated', schemaVersion: 99, payload: {} }]))).toBe(DomainErrorCode.UnsupportedSchema);
  });
});

describe('decideUser', () => {
  it('tells the wiring what it forgot to prepare', () => {
    expect(() => decideUser(alice(), SetPin.create({ userId: 'u1', pin: '2580' }, DEFAULT_SETTINGS.pin), { now, settings: DEFAULT_SETTINGS }))
      .toThrow('SetPin needs ctx.pinHash');
  });
});
