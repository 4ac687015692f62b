import { RadiusCode } from '@twofold/radius';
import { ServerProcess } from '../support/server-process';
import { hasSlapd, LDAP_SUFFIX, Slapd } from '../support/slapd';
import { addRadiusClient, createRadiusUser, hasOathtool, hasRadclient, oathtoolTotp, radclient, TestRadiusClient } from '../support/radius-tools';

// LDAP first factor against a real OpenLDAP slapd started by the test: direct bind with a DN
// template over LDAPS, and search-then-bind (as a service account) over StartTLS.
const describeIfLdap = hasSlapd && hasRadclient && hasOathtool ? describe : describe.skip;
if (!hasSlapd) console.warn('slapd not installed: skipping LDAP RADIUS e2e');

const LDAPS_SECRET = 'ldaps-template-secret';
const STARTTLS_SECRET = 'starttls-search-secret';

describeIfLdap('RADIUS with the LDAP first factor (slapd)', () => {
  let slapd: Slapd;
  let server: ServerProcess;
  const seeds: Record<string, string> = {};

  beforeAll(async () => {
    slapd = await Slapd.start(
      [{ uid: 'lena', password: 'lena-ldap-pass' }, { uid: 'mark', password: 'mark-ldap-pass' }],
      { cn: 'reader', uid: 'reader', password: 'reader-ldap-pass' },
    );
    // The LDAP server's certificate is signed by a test CA the node is told to trust.
    server = await ServerProcess.start({ env: { NODE_EXTRA_CA_CERTS: slapd.caPath } });
    await addRadiusClient(server, {
      name: 'ldaps-template', address: '127.0.0.1', secret: LDAPS_SECRET, firstFactor: 'ldap',
      ldap: { url: slapd.ldapsUrl, bindDnTemplate: `uid={username},ou=people,${LDAP_SUFFIX}` },
    });
    await addRadiusClient(server, {
      name: 'starttls-search', address: '127.0.0.2', secret: STARTTLS_SECRET, firstFactor: 'ldap',
      ldap: {
        url: slapd.ldapUrl, startTls: true, searchBase: `ou=people,${LDAP_SUFFIX}`, searchFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
        bindDn: `cn=reader,${LDAP_SUFFIX}`, bindPassword: 'reader-ldap-pass',
      },
    });
    for (const name of ['lena', 'mark', 'nora']) seeds[name] = (await createRadiusUser(server, name, { totp: true })).secret!;
  });

  afterAll(async () => {
    await server?.stop();
    await slapd?.cleanup();
  });

  const viaTemplate = (user: string, password: string, extra: Record<string, string> = {}) =>
    radclient(server.radiusPort, LDAPS_SECRET, { 'User-Name': user, 'User-Password': password, 'Message-Authenticator': '0x00', ...extra });

  it('binds with the DN template over LDAPS: the LDAP password + TOTP is accepted', async () => {
    const result = await viaTemplate('lena', `lena-ldap-pass${oathtoolTotp(seeds.lena)}`);
    expect(result.code).toBe('Access-Accept');
  });

  it('rejects a wrong LDAP password and a user missing from the directory', async () => {
    expect((await viaTemplate('mark', `lena-ldap-pass${oathtoolTotp(seeds.mark)}`)).code).toBe('Access-Reject');
    const missing = await viaTemplate('nora', `anything-at-all${oathtoolTotp(seeds.nora)}`);
    expect(missing.code).toBe('Access-Reject');
    expect(missing.replyMessage).toBe('Authentication failed.');
  });

  it('searches then binds over StartTLS, then challenges for the code', async () => {
    const nas = await TestRadiusClient.open('127.0.0.2');
    try {
      const wrong = await nas.exchange(nas.request(STARTTLS_SECRET, 'mark', 'not-marks-pass'), STARTTLS_SECRET, server.radiusPort);
      expect(wrong?.code).toBe(RadiusCode.AccessReject);
      const challenge = await nas.exchange(nas.request(STARTTLS_SECRET, 'mark', 'mark-ldap-pass'), STARTTLS_SECRET, server.radiusPort);
      expect(challenge?.code).toBe(RadiusCode.AccessChallenge);
      const answer = await nas.exchange(
        nas.request(STARTTLS_SECRET, 'mark', oathtoolTotp(seeds.mark), [nas.stateAttribute(challenge!.get('State')!)]), STARTTLS_SECRET, server.radiusPort,
      );
      expect(answer?.code).toBe(RadiusCode.AccessAccept);
    } finally {
      nas.close();
    }
  });

  it('says the password cannot be checked when the directory is down, without counting a failure', async () => {
    await slapd.stop();
    const result = await viaTemplate('lena', 'lena-ldap-pass');
    expect(result.code).toBe('Access-Reject');
    expect(result.replyMessage).toMatch(/cannot be checked right now/);
    const user = await server.api('GET', '/admin/v1/users/lena');
    expect(user.body.locked).toBe(false);
  });
});
