import { inChainFilter, walkGroupMembers } from './ldap-source';

// The filter sent to Active Directory (no AD here: this checks what we send), and the walk over a
// stand-in for the directory's group entries (slapd e2e: test/directory/directory-nested-ldaps.e2e-spec.ts).
describe('nested groups', () => {
  it('asks AD for members through nested groups with LDAP_MATCHING_RULE_IN_CHAIN, the group DN escaped', () => {
    expect(inChainFilter('(objectClass=user)', 'CN=VPN Users,OU=Groups,DC=corp,DC=example')).toBe('(&(objectClass=user)(memberOf:1.2.840.113556.1.4.1941:=CN=VPN Users,OU=Groups,DC=corp,DC=example))');
    expect(inChainFilter('(objectClass=user)', 'CN=R&D (Berlin)*,DC=corp')).toBe('(&(objectClass=user)(memberOf:1.2.840.113556.1.4.1941:=CN=R&D \\28Berlin\\29\\2a,DC=corp))');
  });

  it('walks member values into nested groups, reads each group once (a cycle ends) and ignores what is neither', async () => {
    const groups: Record<string, string[]> = {
      'cn=top': ['uid=a', 'cn=team-a', 'cn=gone'],
      'cn=team-a': ['uid=b', 'cn=team-b'],
      'cn=team-b': ['uid=c', 'cn=top', 'cn=team-a'],
    };
    const reads: string[] = [];
    const members = await walkGroupMembers(async (dn) => { reads.push(dn); return groups[dn] ?? null; }, 'cn=top', new Set(['uid=a', 'uid=b', 'uid=c', 'uid=d']));
    expect([...members].sort()).toEqual(['uid=a', 'uid=b', 'uid=c']);
    expect(reads).toEqual(['cn=top', 'cn=team-a', 'cn=gone', 'cn=team-b']);
  });

  it('a group that does not exist is an error, not an empty source', async () => {
    await expect(walkGroupMembers(async () => null, 'cn=missing', new Set())).rejects.toThrow(/does not exist/);
  });
});
