import { SecretBox } from '../crypto/secret-box';
import { upcast } from '../events/upcasting';
import { foldUser, openUserContact } from './user.state';
import { decideUpdateUser } from './user.decide';
import { UpdateUser } from './user.commands';

// Records exactly as the first release wrote them (schema v1: contact and hashes in clear).
const v1 = [
  { type: 'UserCreated', schemaVersion: 1, payload: { userId: 'u1', username: 'old', displayName: 'Old', email: 'old@example.com', phones: [{ label: 'mobile', number: '+15550111' }], preferredMethod: 'sms', language: 'en' } },
  { type: 'UserUpdated', schemaVersion: 1, payload: { userId: 'u1', changes: { displayName: 'Old Timer', email: 'timer@example.com' } } },
  { type: 'UserPinSet', schemaVersion: 1, payload: { userId: 'u1', pinHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' } },
];
const sealer = new SecretBox('k1', Buffer.alloc(32, 5));

describe('user events of schema v1', () => {
  it('upcast to v2 with the clear contact moved into `contact`', () => {
    expect(upcast(v1[0])).toEqual({
      type: 'UserCreated', schemaVersion: 2,
      payload: { userId: 'u1', username: 'old', displayName: 'Old', preferredMethod: 'sms', language: 'en', contact: { email: 'old@example.com', phones: [{ label: 'mobile', number: '+15550111' }] } },
    });
    expect(upcast(v1[1]).payload).toEqual({ userId: 'u1', changes: { displayName: 'Old Timer' }, contact: { email: 'timer@example.com' } });
    expect(upcast({ type: 'UserUpdated', schemaVersion: 1, payload: { userId: 'u1', changes: { language: 'de' } } }).payload).toEqual({ userId: 'u1', changes: { language: 'de' } });
    expect(upcast(v1[2])).toEqual({ ...v1[2], schemaVersion: 2 });
  });

  it('fold to the same user as before, with the unkeyed PIN hash kept for sign-in', () => {
    const state = foldUser(v1);
    expect(state.profile).toEqual({ username: 'old', displayName: 'Old Timer', email: 'timer@example.com', phones: [{ label: 'mobile', number: '+15550111' }], preferredMethod: 'sms', language: 'en' });
    expect(state.pinHash).toBe(v1[2].payload.pinHash);
    expect(openUserContact(state, sealer)).toEqual(state);
  });

  it('are followed by sealed v2 changes that keep the old phones', () => {
    const state = foldUser(v1);
    const [changed] = decideUpdateUser(state, UpdateUser.create({ userId: 'u1', changes: { email: 'new@example.com' } }), { sealer });
    expect(JSON.stringify(changed)).not.toContain('new@example.com');
    expect(openUserContact(foldUser([changed], state), sealer).profile).toMatchObject({ email: 'new@example.com', phones: [{ number: '+15550111' }] });
  });
});
