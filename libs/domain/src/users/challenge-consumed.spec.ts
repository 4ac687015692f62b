import { SecretBox } from '../crypto/secret-box';
import { DomainErrorCode, isDomainError } from '../errors/domain-error';
import { toRecord } from '../events/event-record';
import { CreateUser, RecordChallengeConsumed } from './user.commands';
import { decideCreateUser, decideRecordChallengeConsumed } from './user.decide';
import { evolveUser, foldUser, INITIAL_USER_STATE, MAX_REMEMBERED_CHALLENGES } from './user.state';
import { DEFAULT_SETTINGS } from '../settings/default-settings';

const created = foldUser(decideCreateUser(INITIAL_USER_STATE, CreateUser.create({ userId: 'u1', username: 'sam' }), { usernameTaken: false, settings: DEFAULT_SETTINGS, sealer: new SecretBox('k1', Buffer.alloc(32, 1)) }).map(toRecord));
const consume = (nonce: string) => RecordChallengeConsumed.create({ userId: 'u1', nonce, expiresAt: '2025-03-01T12:05:00.000Z' });

describe('one-time challenges', () => {
  it('are answered once: a second answer of the same challenge is a replay', () => {
    const [event] = decideRecordChallengeConsumed(created, consume('nonce-aaaaaaaa'));
    const after = evolveUser(created, event);
    let error: unknown;
    try {
      decideRecordChallengeConsumed(after, consume('nonce-aaaaaaaa'));
    } catch (e) {
      error = e;
    }
    expect(isDomainError(error, DomainErrorCode.CodeAlreadyUsed)).toBe(true);
    expect(decideRecordChallengeConsumed(after, consume('nonce-bbbbbbbb'))).toHaveLength(1);
  });

  it('are remembered within a bound, newest kept', () => {
    let state = created;
    for (let i = 0; i < MAX_REMEMBERED_CHALLENGES + 5; i++) state = evolveUser(state, decideRecordChallengeConsumed(state, consume(`nonce-${String(i).padStart(8, '0')}`))[0]);
    expect(state.consumedChallenges).toHaveLength(MAX_REMEMBERED_CHALLENGES);
    expect(state.consumedChallenges!.at(-1)!.nonce).toBe(`nonce-${String(MAX_REMEMBERED_CHALLENGES + 4).padStart(8, '0')}`);
  });
});
