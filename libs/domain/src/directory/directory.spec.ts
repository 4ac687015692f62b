import { SecretBox } from '../crypto/secret-box';
import { makeEvent } from '../events/event-record';
import { DirectoryEntry, foldDirectory, KnownUser, openRun, planSync } from './directory';
import { AddDirectorySource, decideAddDirectorySource } from './directory-source';

const sealer = new SecretBox('k1', Buffer.alloc(32, 7));
const source = foldDirectory(decideAddDirectorySource(foldDirectory([]), AddDirectorySource.create({
  name: 'corp', urls: ['ldap://dc1', 'ldap://dc2'], bindDn: 'cn=svc', bindPassword: 'pw', baseDn: 'dc=x', mapping: { username: 'uid', displayName: 'cn' },
}), { sealer }));
const entry = (i: number): DirectoryEntry => ({ username: `u${i}`, displayName: `User ${i}` });
const known = (i: number, over: Partial<KnownUser> = {}): KnownUser => ({ userId: `id${i}`, username: `u${i}`, displayName: `User ${i}`, email: null, phones: [], language: 'en', enabled: true, ...over });
const users = (n: number, over: (i: number) => Partial<KnownUser> = () => ({})) => new Map(Array.from({ length: n }, (_, i) => [`u${i}`, known(i, over(i))]));
const linkedTo = (n: number) => foldDirectory([makeEvent('DirectorySyncStarted', { runId: 'corp.1', at: 't', approvedRemovals: null }), makeEvent('DirectorySyncCompleted', {
  runId: 'corp.1', at: 't', counts: {} as never, linked: Object.fromEntries(Array.from({ length: n }, (_, i) => [`u${i}`, `id${i}`])), unlinked: [], refusals: [], server: 'ldap://dc1',
})], source);

describe('directory sync plan', () => {
  it('seals the bind password and never keeps it in clear', () => {
    expect(JSON.stringify(source.config)).not.toContain('"pw"');
    expect(sealer.open(source.config!.bindPassword, 'directory-bind-password:corp')).toBe('pw');
  });

  it('creates the new, updates only mapped fields that changed, adopts existing users', () => {
    const plan = planSync([entry(0), { ...entry(1), displayName: 'Renamed' }, entry(2)], users(2, () => ({ language: 'de' })), source, null);
    expect(plan.actions).toEqual([
      { kind: 'update', username: 'u1', userId: 'id1', changes: { displayName: 'Renamed' }, enable: false },
      { kind: 'create', username: 'u2', profile: { displayName: 'User 2' } },
    ]);
    expect(plan.link).toEqual({ u0: 'id0', u1: 'id1' });
  });

  it('holds a run that would disable more than the threshold, unless that many were approved', () => {
    const state = linkedTo(10);
    const fewer = Array.from({ length: 4 }, (_, i) => entry(i));
    const held = planSync(fewer, users(10), state, null);
    expect(held.counts.disabled).toBe(6);
    expect(held.hold).toMatch(/would disable 6 of 10 users .* \(60 %\), more than the threshold of 10 %/);
    expect(planSync(fewer, users(10), state, 6).hold).toBeNull();
    expect(planSync(fewer.slice(0, 3), users(10), state, 6).hold).not.toBeNull(); // more than approved: held again
    expect(planSync(Array.from({ length: 9 }, (_, i) => entry(i)), users(10), state, null).hold).toBeNull(); // 1 of 10 = 10 %
  });

  it('an empty answer never disables everyone silently', () => {
    expect(planSync([], users(10), linkedTo(10), null).hold).toMatch(/would disable 10 of 10/);
  });

  it('enables a user it disabled when they come back, but not one an administrator disabled', () => {
    const left = foldDirectory([makeEvent('DirectorySyncStarted', { runId: 'corp.2', at: 't', approvedRemovals: null }), makeEvent('DirectorySyncCompleted', {
      runId: 'corp.2', at: 't', counts: {} as never, linked: {}, unlinked: ['u1'], refusals: [], server: 's',
    })], linkedTo(3));
    const plan = planSync([entry(0), entry(1), entry(2)], users(3, (i) => ({ enabled: i === 0 })), left, null);
    expect(plan.actions).toEqual([{ kind: 'enable', username: 'u1', userId: 'id1' }]);
  });

  it('a run that never completed is open (the next start closes it as failed)', () => {
    const crashed = foldDirectory([makeEvent('DirectorySyncStarted', { runId: 'corp.3', at: 't', approvedRemovals: null })], linkedTo(1));
    expect(openRun(crashed)?.runId).toBe('corp.3');
    expect(openRun(foldDirectory([makeEvent('DirectorySyncFailed', { runId: 'corp.3', at: 't', reason: 'interrupted' })], crashed))).toBeUndefined();
  });
});
