import { SecretBox } from '../crypto/secret-box';
import { foldDirectory } from './directory';
import { AddDirectorySource, decideAddDirectorySource, decideRemoveDirectorySource, decideUpdateDirectorySource, UpdateDirectorySource } from './directory-source';

const sealer = new SecretBox('k1', Buffer.alloc(32, 7));
const added = decideAddDirectorySource(foldDirectory([]), AddDirectorySource.create({ name: 'corp', urls: ['ldap://dc1'], bindDn: 'cn=svc', bindPassword: 'pw', baseDn: 'dc=x' }), { sealer });
const source = foldDirectory(added);

describe('directory source configuration', () => {
  it('reads a v1 source (before nested groups) as direct members only', () => {
    const { nestedGroups: _n, ...v1 } = added[0].data as { nestedGroups?: string };
    expect(foldDirectory([{ type: 'DirectorySourceAdded', schemaVersion: 1, payload: v1 as never }]).config?.nestedGroups).toBe('off');
    expect(added[0].schemaVersion).toBe(2);
  });

  it('records only what changes, seals a new bind password, and refuses a merged config that does not hold', () => {
    const events = decideUpdateDirectorySource(source, UpdateDirectorySource.create({ name: 'corp', changes: { nestedGroups: 'walk', baseDn: 'dc=x', bindPassword: 'new-pw' } }), { sealer });
    expect(events).toHaveLength(1);
    expect(Object.keys((events[0].data as { changes: object }).changes).sort()).toEqual(['bindPassword', 'nestedGroups']);
    expect(JSON.stringify(events)).not.toContain('new-pw');
    const after = foldDirectory(events, source);
    expect(after.config).toMatchObject({ nestedGroups: 'walk', urls: ['ldap://dc1'] });
    expect(sealer.open(after.config!.bindPassword, 'directory-bind-password:corp')).toBe('new-pw');
    expect(() => decideUpdateDirectorySource(source, UpdateDirectorySource.create({ name: 'corp', changes: { urls: ['ldaps://dc1'], startTls: true } }), { sealer })).toThrow(/startTls/);
    expect(() => UpdateDirectorySource.create({ name: 'corp', changes: {} })).toThrow(/at least one field/);
    expect(() => UpdateDirectorySource.create({ name: 'corp', changes: { nestedGroups: 'deep' } })).toThrow(/off, auto, in-chain or walk/);
  });

  it('removing a source lets go of its users (kept, counted) and a second removal is refused', () => {
    const removed = decideRemoveDirectorySource({ ...source, linked: { alice: 'u1', bob: 'u2' } }, 'corp', { now: new Date('2026-03-01T10:00:00Z') });
    expect(removed[0].data).toEqual({ name: 'corp', at: '2026-03-01T10:00:00.000Z', keptUsers: 2 });
    const gone = foldDirectory(removed, source);
    expect(gone.config).toBeNull();
    expect(() => decideRemoveDirectorySource(gone, 'corp', { now: new Date('2026-03-01T10:01:00Z') })).toThrow(/No directory source/);
  });
});
