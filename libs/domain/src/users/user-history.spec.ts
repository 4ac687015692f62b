import { toRecord } from '../events/event-record';
import { DEFAULT_SETTINGS } from '../settings/default-settings';
import { CreateUser, UpdateUser } from './user.commands';
import { decideCreateUser, decideSetPin, decideUpdateUser } from './user.decide';
import { foldUser, INITIAL_USER_STATE } from './user.state';
import { auditUser, AuditedEvent } from './user-history';
import { SetPin } from './user.commands';

const created = decideCreateUser(INITIAL_USER_STATE, CreateUser.create({ userId: 'u1', username: 'ann', displayName: 'Ann' }), { usernameTaken: false, settings: DEFAULT_SETTINGS });
const s1 = foldUser(created);
const renamed = decideUpdateUser(s1, UpdateUser.create({ userId: 'u1', changes: { displayName: 'Ann B' } }));
const pin = decideSetPin(foldUser([...created, ...renamed]), SetPin.create({ userId: 'u1', pin: '48213' }, DEFAULT_SETTINGS.pin), { pinHash: '$argon2id$secret-hash' });
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
    expect(JSON.stringify(auditUser(log))).not.toContain('secret-hash');
  });
});
