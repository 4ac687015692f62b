import { readFileSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import type { UserState } from '@twofold/domain';
import { hasSlapd, LDAP_SUFFIX, Slapd } from '../../../../test/support/slapd';
import { escapeDnValue, escapeFilterValue, LdapFirstFactor, LdapFirstFactorOptions } from './ldap-first-factor';

describe('LDAP escaping', () => {
  it('escapes DN values (RFC 4514) and filter values (RFC 4515)', () => {
    expect(escapeDnValue('a,b+c"d\\e<f>g;h=i')).toBe('a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h\\=i');
    expect(escapeDnValue(' #lead')).toBe('\\ #lead');
    expect(escapeDnValue('trail ')).toBe('trail\\ ');
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(escapeFilterValue('a\\b\0')).toBe('a\\5cb\\00');
  });
});

// Against a real OpenLDAP started for the test.
(hasSlapd ? describe : describe.skip)('LdapFirstFactor with slapd', () => {
  let slapd: Slapd;
  let ca: Buffer;
  const user = {} as UserState;
  const template = `uid={username},ou=people,${LDAP_SUFFIX}`;

  beforeAll(async () => {
    slapd = await Slapd.start([{ uid: 'lena', password: 'lena-pass-1' }, { uid: 'le*', password: 'star-pass' }], { cn: 'reader', uid: 'reader', password: 'reader-pass' });
    ca = readFileSync(slapd.caPath);
  });
  afterAll(async () => slapd?.cleanup());

  const make = (o: Partial<LdapFirstFactorOptions>) => new LdapFirstFactor({ urls: [slapd.ldapsUrl], tlsOptions: { ca }, ...o });

  it('binds with a DN template over LDAPS', async () => {
    const sut = make({ bindDnTemplate: template });
    await expect(sut.verify({ username: 'lena', password: 'lena-pass-1', user })).resolves.toEqual({ ok: true });
    await expect(sut.verify({ username: 'lena', password: 'wrong', user })).resolves.toEqual({ ok: false, reason: 'invalid_credentials' });
  });

  it('never sends an empty password (an unauthenticated bind would "succeed")', async () => {
    await expect(make({ bindDnTemplate: template }).verify({ username: 'lena', password: '', user })).resolves.toEqual({ ok: false, reason: 'invalid_credentials' });
  });

  it('refuses a server whose certificate it does not trust, on LDAPS and StartTLS', async () => {
    const ldaps = new LdapFirstFactor({ urls: [slapd.ldapsUrl], bindDnTemplate: template });
    await expect(ldaps.verify({ username: 'lena', password: 'lena-pass-1', user })).resolves.toMatchObject({ ok: false, reason: 'unavailable' });
    const startTls = new LdapFirstFactor({ urls: [slapd.ldapUrl], startTls: true, bindDnTemplate: template });
    await expect(startTls.verify({ username: 'lena', password: 'lena-pass-1', user })).resolves.toMatchObject({ ok: false, reason: 'unavailable' });
  });

  it('searches (as a service account, over StartTLS) then binds as the entry found; filter input is escaped', async () => {
    const sut = make({ urls: [slapd.ldapUrl], startTls: true, searchBase: LDAP_SUFFIX, bindDn: `cn=reader,${LDAP_SUFFIX}`, bindPassword: 'reader-pass' });
    await expect(sut.verify({ username: 'lena', password: 'lena-pass-1', user })).resolves.toEqual({ ok: true });
    // "le*" is a literal uid here, not a wildcard matching lena.
    await expect(sut.verify({ username: 'le*', password: 'lena-pass-1', user })).resolves.toEqual({ ok: false, reason: 'invalid_credentials' });
    await expect(sut.verify({ username: 'le*', password: 'star-pass', user })).resolves.toEqual({ ok: true });
    await expect(sut.verify({ username: 'nobody', password: 'x', user })).resolves.toEqual({ ok: false, reason: 'invalid_credentials' });
  });

  it('refuses a filter that names more people than one (the directory stops at its size limit): a wrong sign-in, not an outage', async () => {
    const sut = make({ urls: [slapd.ldapUrl], startTls: true, searchBase: LDAP_SUFFIX, bindDn: `cn=reader,${LDAP_SUFFIX}`, bindPassword: 'reader-pass', searchFilter: '(|(uid={username})(objectClass=*))' });
    await expect(sut.verify({ username: 'lena', password: 'lena-pass-1', user })).resolves.toEqual({ ok: false, reason: 'invalid_credentials' });
  });

  it('fails over to the next URL when a server is down or hangs, and says which failed (never the password)', async () => {
    // A hanging directory server: it accepts the connection and never answers.
    const sockets: Socket[] = [];
    const hanging: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const hangingUrl = `ldap://127.0.0.1:${(hanging.address() as { port: number }).port}`;
    try {
      const failed: string[] = [];
      const sut = make({ urls: ['ldap://127.0.0.1:1', hangingUrl, slapd.ldapsUrl], bindDnTemplate: template, timeoutMs: 500, onServerFailed: (url, detail) => failed.push(`${url} ${detail}`) });
      await expect(sut.verify({ username: 'lena', password: 'lena-pass-1', user })).resolves.toEqual({ ok: true });
      // A server that answers decides: a wrong password is not retried elsewhere.
      await expect(sut.verify({ username: 'lena', password: 'wrong', user })).resolves.toEqual({ ok: false, reason: 'invalid_credentials' });
      expect(failed[0]).toMatch(/^ldap:\/\/127\.0\.0\.1:1 ldap connect failed \(ECONNREFUSED\)$/);
      expect(failed[1]).toBe(`${hangingUrl} ldap bind failed (timed out)`);
      const allDown = make({ urls: ['ldap://127.0.0.1:1', hangingUrl], bindDnTemplate: template, timeoutMs: 500 });
      const result = await allDown.verify({ username: 'lena', password: 'lena-pass-1', user });
      expect(result).toMatchObject({ ok: false, reason: 'unavailable', detail: expect.stringMatching(/^all 2 LDAP servers failed: ldap:\/\/127\.0\.0\.1:1 .*; ldap:\/\/127\.0\.0\.1:\d+ ldap bind failed \(timed out\)$/) });
      expect(JSON.stringify(result)).not.toContain('lena-pass-1');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });

  it('reports a directory that is not there as unavailable', async () => {
    const sut = new LdapFirstFactor({ urls: ['ldap://127.0.0.1:1'], bindDnTemplate: template, timeoutMs: 500 });
    await expect(sut.verify({ username: 'lena', password: 'x', user })).resolves.toMatchObject({ ok: false, reason: 'unavailable' });
  });
});
