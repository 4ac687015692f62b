import { SealContext, SecretSealer } from '../crypto/secret-box';
import { base32Encode } from '../crypto/base32';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { Settings } from '../settings/settings.events';
import { ContactDetails, ProfileWithoutContact, UserEvent } from './user.events';
import { makeEvent } from '../events/event-record';
import { assertExpectedVersion } from '../shared/versioning';
import {
  AssignOathToken,
  BlockUserForFraud,
  ClearPin,
  CreateUser,
  DeleteUser,
  DisableUser,
  EnableUser,
  LockUser,
  MAX_OATH_TOKENS,
  RecordFailedAuthentication,
  RecordOathCodeUsed,
  RecordChallengeConsumed,
  RecordSuccessfulAuthentication,
  RemoveOathToken,
  SetPassword,
  SetPin,
  UnblockUser,
  UnlockUser,
  UpdateUser,
  UserCommand,
} from './user.commands';
import { assertUserExists, evaluateFailure, fraudBlock } from './user.policies';
import { OathTokenState, UserState } from './user.state';
import { sealContact } from './user-contact';

// Decide functions: (state of the user's stream, validated command, context) => new events.
// They throw DomainError when an invariant would break and return [] when nothing changes.

// usernameTaken: usernames are unique across user streams, which one stream cannot see; the
// caller looks the username up in the read model (users projection) and passes the answer.
// The remaining race (two creates at once on different streams) is closed by the master being
// the single writer: serialise CreateUser per username there.
// E-mail and phones are sealed into `contact` (AAD SealContext.userContact): personal data stays out
// of a copy of the log.
export function decideCreateUser(state: UserState, command: CreateUser, ctx: { usernameTaken: boolean; settings: Settings; sealer: SecretSealer }): UserEvent[] {
  if (state.exists) throw DomainError.rule(DomainErrorCode.AlreadyExists, 'userId', 'A user with this id already exists.');
  if (ctx.usernameTaken) throw DomainError.rule(DomainErrorCode.DuplicateUsername, 'username', 'The username is already in use.');
  const { userId, username, displayName, email, phones, preferredMethod, language } = command;
  const contact = sealContact(ctx.sealer, userId, { email, phones: phones.map((p) => ({ label: p.label, number: p.number })) });
  return [
    makeEvent('UserCreated', {
      userId,
      username,
      displayName: displayName || username,
      preferredMethod: preferredMethod ?? ctx.settings.defaultMethod,
      language,
      contact,
    }),
  ];
}

// state: folded and opened (openUserContact), so a change to e-mail or phones can be compared and
// sealed as the complete new contact.
export function decideUpdateUser(state: UserState, command: UpdateUser, ctx: { sealer: SecretSealer }): UserEvent[] {
  assertUserExists(state, command.userId);
  assertExpectedVersion(state.version, command.expectedVersion);
  const profile = state.profile!;
  // A wiring bug, not a user error: comparing against a sealed contact would lose the old values.
  if (profile.sealedContact) throw new Error('UpdateUser needs a state whose contact is opened (openUserContact)');
  const changes: Partial<Omit<ProfileWithoutContact, 'username'>> = {};
  const contact: ContactDetails = { email: profile.email, phones: profile.phones };
  let contactChanged = false;
  for (const [key, value] of Object.entries(command.changes) as [keyof (typeof command)['changes'], unknown][]) {
    if (value === undefined || JSON.stringify(profile[key]) === JSON.stringify(value)) continue;
    if (key === 'email' || key === 'phones') {
      (contact as unknown as Record<string, unknown>)[key] = value;
      contactChanged = true;
    } else {
      (changes as Record<string, unknown>)[key] = value;
    }
  }
  if (!contactChanged && Object.keys(changes).length === 0) return [];
  return [makeEvent('UserUpdated', { userId: command.userId, changes, ...(contactChanged ? { contact: sealContact(ctx.sealer, command.userId, contact) } : {}) })];
}

export function decideDeleteUser(state: UserState, command: DeleteUser): UserEvent[] {
  assertUserExists(state, command.userId);
  return [makeEvent('UserDeleted', { userId: command.userId })];
}

// pinHash: SecretHasher.hash(command.pin.reveal()), computed by the caller (argon2id off the event
// loop). It is sealed here with the cluster key, so the log holds nothing to brute-force offline.
export function decideSetPin(state: UserState, command: SetPin, ctx: { pinHash: string; sealer: SecretSealer }): UserEvent[] {
  assertUserExists(state, command.userId);
  return [makeEvent('UserPinSet', { userId: command.userId, pinHash: ctx.sealer.seal(ctx.pinHash, SealContext.pinHash(command.userId)) })];
}

export function decideClearPin(state: UserState, command: ClearPin): UserEvent[] {
  assertUserExists(state, command.userId);
  return state.pinHash === null ? [] : [makeEvent('UserPinCleared', { userId: command.userId })];
}

// passwordHash: SecretHasher.hash(command.password.reveal()), computed by the caller; sealed like a PIN.
export function decideSetPassword(state: UserState, command: SetPassword, ctx: { passwordHash: string; sealer: SecretSealer }): UserEvent[] {
  assertUserExists(state, command.userId);
  return [makeEvent('UserPasswordSet', { userId: command.userId, passwordHash: ctx.sealer.seal(ctx.passwordHash, SealContext.passwordHash(command.userId)) })];
}

export function decideEnableUser(state: UserState, command: EnableUser): UserEvent[] {
  assertUserExists(state, command.userId);
  return state.enabled ? [] : [makeEvent('UserEnabled', { userId: command.userId })];
}

export function decideDisableUser(state: UserState, command: DisableUser): UserEvent[] {
  assertUserExists(state, command.userId);
  return state.enabled ? [makeEvent('UserDisabled', { userId: command.userId })] : [];
}

export function decideLockUser(state: UserState, command: LockUser, ctx: { now: Date }): UserEvent[] {
  assertUserExists(state, command.userId);
  const until = command.minutes ? new Date(ctx.now.getTime() + command.minutes * 60_000).toISOString() : null;
  return [makeEvent('UserLockedOut', { userId: command.userId, at: ctx.now.toISOString(), until, reason: command.reason })];
}

// Also resets the failure counter, so an unlocked user starts with a clean count.
export function decideUnlockUser(state: UserState, command: UnlockUser): UserEvent[] {
  assertUserExists(state, command.userId);
  return state.lockedOut === null && state.recentFailures.length === 0 ? [] : [makeEvent('UserUnlocked', { userId: command.userId })];
}

export function decideBlockUserForFraud(state: UserState, command: BlockUserForFraud, ctx: { now: Date; settings: Settings }): UserEvent[] {
  assertUserExists(state, command.userId);
  return [fraudBlock(state, ctx.settings, ctx.now, command.reason)];
}

export function decideUnblockUser(state: UserState, command: UnblockUser): UserEvent[] {
  assertUserExists(state, command.userId);
  return state.blocked === null ? [] : [makeEvent('UserFraudUnblocked', { userId: command.userId })];
}

// The seed is sealed with AAD SealContext.oathSeed(userId, tokenId): it opens for this token only.
export function decideAssignOathToken(state: UserState, command: AssignOathToken, ctx: { sealer: SecretSealer }): UserEvent[] {
  assertUserExists(state, command.userId);
  const { userId, tokenId, kind, algorithm, digits, period, counter, label } = command;
  if (state.tokens.some((t) => t.tokenId === tokenId)) {
    throw DomainError.rule(DomainErrorCode.DuplicateToken, 'tokenId', 'The user already has a token with this id.');
  }
  if (state.tokens.length >= MAX_OATH_TOKENS) {
    throw DomainError.rule(DomainErrorCode.TokenLimit, 'tokenId', `A user may have at most ${MAX_OATH_TOKENS} OATH tokens.`);
  }
  const seed = ctx.sealer.seal(base32Encode(command.seed.reveal()), SealContext.oathSeed(userId, tokenId));
  return [makeEvent('OathTokenAssigned', { userId, tokenId, kind, algorithm, digits, period, counter: kind === 'hotp' ? counter : 0, seed, label })];
}

export function findToken(state: UserState, tokenId: string): OathTokenState {
  const token = state.tokens.find((t) => t.tokenId === tokenId);
  if (!token) throw DomainError.rule(DomainErrorCode.UnknownToken, 'tokenId', 'The user has no token with this id.');
  return token;
}

export function decideRemoveOathToken(state: UserState, command: RemoveOathToken): UserEvent[] {
  assertUserExists(state, command.userId);
  findToken(state, command.tokenId);
  return [makeEvent('OathTokenRemoved', { userId: command.userId, tokenId: command.tokenId })];
}

// A code is good once: its step/counter must be above every one accepted before.
function assertCodeUnused(state: UserState, command: RecordOathCodeUsed): void {
  assertUserExists(state, command.userId);
  const token = findToken(state, command.tokenId);
  if (token.lastUsedCounter !== null && command.counter <= token.lastUsedCounter) {
    throw DomainError.rule(DomainErrorCode.CodeAlreadyUsed, 'counter', 'This one-time code (or an older one) has already been used.');
  }
}

export function decideRecordOathCodeUsed(state: UserState, command: RecordOathCodeUsed): UserEvent[] {
  assertCodeUnused(state, command);
  return [makeEvent('OathCodeUsed', { userId: command.userId, tokenId: command.tokenId, counter: command.counter })];
}

// A sign-in by an OATH code: the success and the code it spent in one event (AuthenticationSucceeded
// v2 with `code`), refused as RecordOathCodeUsed is when the code was used before.
export function decideOathSignIn(state: UserState, code: RecordOathCodeUsed, success: RecordSuccessfulAuthentication, ctx: { now: Date }): UserEvent[] {
  assertCodeUnused(state, code);
  const spent = { tokenId: code.tokenId, counter: code.counter };
  return [makeEvent('AuthenticationSucceeded', { userId: success.userId, at: ctx.now.toISOString(), source: success.source, code: spent })];
}

// A challenge is answered once in the whole cluster: a second answer of the same state is a replay.
export function decideRecordChallengeConsumed(state: UserState, command: RecordChallengeConsumed): UserEvent[] {
  assertUserExists(state, command.userId);
  if ((state.consumedChallenges ?? []).some((c) => c.nonce === command.nonce)) {
    throw DomainError.rule(DomainErrorCode.CodeAlreadyUsed, 'nonce', 'This sign-in challenge has already been answered.');
  }
  return [makeEvent('OtpChallengeConsumed', { userId: command.userId, nonce: command.nonce, expiresAt: command.expiresAt })];
}

export function decideRecordFailedAuthentication(state: UserState, command: RecordFailedAuthentication, ctx: { now: Date; settings: Settings }): UserEvent[] {
  assertUserExists(state, command.userId);
  return evaluateFailure(state, ctx.settings, ctx.now, { reason: command.reason, source: command.source });
}

export function decideRecordSuccessfulAuthentication(state: UserState, command: RecordSuccessfulAuthentication, ctx: { now: Date }): UserEvent[] {
  assertUserExists(state, command.userId);
  return [makeEvent('AuthenticationSucceeded', { userId: command.userId, at: ctx.now.toISOString(), source: command.source })];
}

// Everything any user command may need; a dispatcher for generic command handlers.
export interface UserDecideContext {
  now: Date;
  settings: Settings;
  usernameTaken?: boolean;
  pinHash?: string;
  passwordHash?: string;
  sealer?: SecretSealer;
}

function need<T>(value: T | undefined, name: string, kind: string): T {
  // A wiring bug, not a user error: the caller forgot to prepare something.
  if (value === undefined) throw new Error(`${kind} needs ctx.${name}`);
  return value;
}

export function decideUser(state: UserState, command: UserCommand, ctx: UserDecideContext): UserEvent[] {
  switch (command.type) {
    case 'CreateUser': return decideCreateUser(state, command, { usernameTaken: need(ctx.usernameTaken, 'usernameTaken', command.type), settings: ctx.settings, sealer: need(ctx.sealer, 'sealer', command.type) });
    case 'UpdateUser': return decideUpdateUser(state, command, { sealer: need(ctx.sealer, 'sealer', command.type) });
    case 'DeleteUser': return decideDeleteUser(state, command);
    case 'SetPin': return decideSetPin(state, command, { pinHash: need(ctx.pinHash, 'pinHash', command.type), sealer: need(ctx.sealer, 'sealer', command.type) });
    case 'ClearPin': return decideClearPin(state, command);
    case 'SetPassword': return decideSetPassword(state, command, { passwordHash: need(ctx.passwordHash, 'passwordHash', command.type), sealer: need(ctx.sealer, 'sealer', command.type) });
    case 'EnableUser': return decideEnableUser(state, command);
    case 'DisableUser': return decideDisableUser(state, command);
    case 'LockUser': return decideLockUser(state, command, ctx);
    case 'UnlockUser': return decideUnlockUser(state, command);
    case 'BlockUserForFraud': return decideBlockUserForFraud(state, command, ctx);
    case 'UnblockUser': return decideUnblockUser(state, command);
    case 'AssignOathToken': return decideAssignOathToken(state, command, { sealer: need(ctx.sealer, 'sealer', command.type) });
    case 'RemoveOathToken': return decideRemoveOathToken(state, command);
    case 'RecordOathCodeUsed': return decideRecordOathCodeUsed(state, command);
    case 'RecordFailedAuthentication': return decideRecordFailedAuthentication(state, command, ctx);
    case 'RecordSuccessfulAuthentication': return decideRecordSuccessfulAuthentication(state, command, ctx);
  }
}
