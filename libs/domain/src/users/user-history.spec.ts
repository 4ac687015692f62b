import { SealContext, SecretBox } from '../crypto/secret-box';
import { toRecord } from '../events/event-record';
import { DEFAULT_SETTINGS } from '../settings/default-settings';
import { CreateUser, UpdateUser } from './user.commands';
import { decideCreateUser, decideSetPin, decideUpdateUser } from './user.decide';
import { foldUser, INITIAL_USER_STATE, openUserContact } from './user.state';
import { auditUser, AuditedEvent } from './user-history';
import { SetPin } from './user.commands';

const sealer = new SecretBox('k1', Buffer.alloc(32, 3));
const created = decideCreateUser(INITIAL_USER_STATE, CreateUser.create({ userId: 'u1', username: 'ann', displayName: 'Ann', email: 'ann@example.com', phones: [{ number: '+15550199' }] }), { usernameTaken: false, settings: DEFAULT_SETTINGS, sealer });
const s1 = openUserContact(foldUser(created), sealer);
const renamed = decideUpdateUser(s1, UpdateUser.create({ userId: 'u1', changes: { displayName: 'Ann B' } }), { sealer });
const pin = decideSetPin(foldUser([...created, ...renamed]), SetPin.create({ userId: 'u1', pin: '48213' }, DEFAULT_SETTINGS.pin), { pinHash: '$argon2id$secret-hash', sealer });
const log: AuditedEvent[] = [...created, ...renamed, ...pin].map((e, i) => ({
  ...toRecord(e), position: i + 1, timestamp: ['2025-02-01T09:00:00Z', '2025-03-05T09:00:00Z', '2025-03-06T09:00:00Z'][i],
  metadata: { actor: ['admin:root', 'admin:eve', 'portal:ann'][i] },
}));

describe('auditUser', () => {
  it('shows the user as they were at a moment, with who changed what until then', () => {
    const march1 = auditUser(log, new Date('2025-03-01T00:00:00Z'));
    expect(march1.state.profile?.displayName).toBe('Ann');
    expect(march1.changes.map((c) => c.actor)).toEqual(['admin:root']);
    const now = auditUser(log);
    expect(now.state.profile?.displayName).toBe('Ann B');
    expect(now.state.pin).toBe('set');
    expect(now.changes.map((c) => `${c.type} by ${c.actor}`)).toEqual(['UserCreated by admin:root', 'UserUpdated by admin:eve', 'UserPinSet by portal:ann']);
  });

  it('never shows a secret', () => {
    expect(JSON.stringify(auditUser(log, undefined, sealer))).not.toContain('secret-hash');
  });

  it('shows the sealed e-mail and phones to whoever holds the key, and keeps them sealed otherwise', () => {
    expect(auditUser(log, undefined, sealer).state.profile).toMatchObject({ email: 'ann@example.com', phones: [{ number: '+15550199' }] });
    const keyless = auditUser(log);
    expect(JSON.stringify(keyless)).not.toMatch(/ann@example|15550199/);
    expect(keyless.state.profile?.sealedContact).toBeDefined();
    expect(JSON.stringify(auditUser(log, undefined, new SecretBox('k1', Buffer.alloc(32, 4))))).not.toMatch(/ann@example/);
  });

  it('marks a PIN from before hashes were keyed as unkeyed', () => {
    const legacy: AuditedEvent = { type: 'UserPinSet', schemaVersion: 1, payload: { userId: 'u1', pinHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' }, position: 9, timestamp: '2025-03-07T09:00:00Z', metadata: { actor: 'admin:root' } };
    const audit = auditUser([...log, legacy], undefined, sealer);
    expect(audit.state.pin).toBe('set (unkeyed)');
    expect(JSON.stringify(audit)).not.toContain('aGFzaA');
    expect(SealContext.pinHash('u1')).toBe('pin-hash:u1');
  });
});
