import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { SealContext, SecretKeyring } from '@twofold/domain';
import type { RadiusClientView } from '@twofold/read-model';
import { RadiusClientRegistry } from './radius-client-registry';

const keyring = new SecretKeyring('k1', { k1: randomBytes(32) });
let version = 1;

function view(clientId: string, address: string, firstFactor: RadiusClientView['firstFactor'] = 'none', secret = `secret-of-${clientId}`): RadiusClientView {
  return {
    clientId, name: clientId, address, firstFactor, requireMessageAuthenticator: true, ldap: null, upstream: null,
    secret: keyring.seal(secret, SealContext.radiusSecret(clientId)), version: version++, createdAt: '', updatedAt: '',
  };
}

describe('RadiusClientRegistry', () => {
  let rows: RadiusClientView[];
  let reads: number;
  let sut: RadiusClientRegistry;

  beforeEach(() => {
    rows = [view('office', '10.0.0.0/8'), view('vpn', '10.1.2.3', 'local-password'), view('v6', 'fd00::/64')];
    reads = 0;
    sut = new RadiusClientRegistry({
      queries: { listRadiusClients: async () => { reads++; return rows; } },
      sealer: keyring, hasher: { verify: async () => false }, logger: pino({ level: 'silent' }), refreshMs: 60_000, missReloadMs: 0,
    });
  });

  it('matches the most specific client, IPv4-mapped and IPv6 sources included, with its opened secret', async () => {
    const vpn = await sut.lookup('10.1.2.3');
    expect(vpn?.clientId).toBe('vpn');
    expect(vpn?.secret.toString()).toBe('secret-of-vpn');
    expect(vpn?.engineClient.firstFactor.mode).toBe('local-password');
    expect((await sut.lookup('::ffff:10.9.9.9'))?.clientId).toBe('office');
    expect((await sut.lookup('fd00::42'))?.clientId).toBe('v6');
    expect(await sut.lookup('192.0.2.1')).toBeUndefined();
  });

  it('sees a client added after the first load, and one whose secret cannot be opened is left out', async () => {
    await sut.lookup('10.1.2.3');
    const readsBefore = reads;
    rows = [...rows, view('late', '192.0.2.1'), { ...view('broken', '198.51.100.1'), secret: view('other', '1.1.1.1').secret }];
    expect((await sut.lookup('192.0.2.1'))?.clientId).toBe('late');
    expect(reads).toBeGreaterThan(readsBefore);
    expect(await sut.lookup('198.51.100.1')).toBeUndefined();
  });

  it('reloads after invalidate() and keeps unchanged clients as they were', async () => {
    const before = await sut.lookup('10.1.2.3');
    sut.invalidate();
    expect(await sut.lookup('10.1.2.3')).toBe(before);
    rows = rows.map((r) => (r.clientId === 'vpn' ? view('vpn', '10.1.2.3', 'none', 'a-new-secret') : r));
    sut.invalidate();
    const after = await sut.lookup('10.1.2.3');
    expect(after?.secret.toString()).toBe('a-new-secret');
    expect(after?.engineClient.firstFactor.mode).toBe('none');
  });

  it('matches a source again after a client moved or was removed (no match outlives a reload)', async () => {
    expect((await sut.lookup('10.1.2.3'))?.clientId).toBe('vpn');
    expect((await sut.lookup('10.1.2.3'))?.clientId).toBe('vpn');
    rows = rows.filter((r) => r.clientId !== 'vpn');
    sut.invalidate();
    expect((await sut.lookup('10.1.2.3'))?.clientId).toBe('office');
    rows = rows.map((r) => (r.clientId === 'office' ? view('office', '172.16.0.0/12') : r));
    sut.invalidate();
    expect(await sut.lookup('10.1.2.3')).toBeUndefined();
    expect((await sut.lookup('172.16.0.9'))?.clientId).toBe('office');
  });

  it('loads an LDAP client projected by the release before fail-over (one url), and leaves out one whose CA file cannot be read', async () => {
    rows = [
      { ...view('legacy', '10.1.2.3', 'ldap'), ldap: { url: 'ldap://127.0.0.1:1', bindDnTemplate: 'uid={username},dc=x' } },
      { ...view('no-ca', '192.0.2.7', 'ldap'), ldap: { urls: ['ldaps://127.0.0.1:1'], caFile: '/nonexistent/ca.pem', bindDnTemplate: 'uid={username},dc=x' } },
    ];
    const legacy = await sut.lookup('10.1.2.3');
    const result = await legacy!.engineClient.firstFactor.verify({ username: 'lena', password: 'pw', user: {} as never });
    expect(result).toEqual({ ok: false, reason: 'unavailable', detail: 'ldap://127.0.0.1:1 ldap connect failed (ECONNREFUSED)' });
    expect(await sut.lookup('192.0.2.7')).toBeUndefined();
  });
});
