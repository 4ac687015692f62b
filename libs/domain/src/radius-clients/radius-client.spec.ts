import { randomBytes } from 'node:crypto';
import { SealContext, SecretBox } from '../crypto/secret-box';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { RadiusClientAdded, RadiusClientUpdated } from './radius-client.events';
import { toRecord } from '../events/event-record';
import {
  decideAddRadiusClient, decideRemoveRadiusClient, decideUpdateRadiusClient, foldRadiusClient, INITIAL_RADIUS_CLIENT_STATE,
  openRadiusSecret, RadiusClientState,
} from './radius-client.aggregate';
import { AddRadiusClient, RemoveRadiusClient, UpdateRadiusClient } from './radius-client.commands';
import { thrown } from '../testing/thrown';

const sealer = new SecretBox('k1', randomBytes(32));

const errorOf = (fn: () => unknown): DomainError => thrown(DomainError, fn);

function added(input: Record<string, unknown> = {}): { state: RadiusClientState; event: RadiusClientAdded } {
  const command = AddRadiusClient.create({ clientId: 'c1', name: 'vpn', address: '10.0.0.0/24', secret: 'sharedsecret1', ...input });
  const events = decideAddRadiusClient(INITIAL_RADIUS_CLIENT_STATE, command, { sealer, nameTaken: false });
  return { state: foldRadiusClient(events.map(toRecord)), event: events[0] as RadiusClientAdded };
}

describe('AddRadiusClient', () => {
  it('defaults to Message-Authenticator required and no first factor, sealing the shared secret to the client', () => {
    const { state, event } = added();
    expect(event.data).toMatchObject({ clientId: 'c1', name: 'vpn', address: '10.0.0.0/24', firstFactor: 'none', requireMessageAuthenticator: true });
    expect(JSON.stringify(event)).not.toContain('sharedsecret1');
    expect(openRadiusSecret(sealer, 'c1', state.secret!)).toBe('sharedsecret1');
    expect(() => openRadiusSecret(sealer, 'c2', state.secret!)).toThrow(expect.objectContaining({ code: DomainErrorCode.SecretUnreadable }));
  });

  it.each([
    [{ address: '10.0.0.300' }, 'address', DomainErrorCode.InvalidAddress],
    [{ address: '10.0.0.1/8' }, 'address', DomainErrorCode.InvalidAddress],
    [{ address: 'vpn.example.org' }, 'address', DomainErrorCode.InvalidAddress],
    [{ secret: 'short' }, 'secret', DomainErrorCode.ValidationFailed],
    [{ name: ' ' }, 'name', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'ldap' }, 'ldap', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'radius-proxy' }, 'upstream', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'ldap', ldap: { url: 'http://dc1' , searchBase: 'dc=x' } }, 'ldap.url', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'ldap', ldap: { url: 'ldap://dc1' } }, 'ldap', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'ldap', ldap: { url: 'ldap://dc1', bindDnTemplate: 'cn=x' } }, 'ldap.bindDnTemplate', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'ldap', ldap: { urls: [], bindDnTemplate: 'uid={username}' } }, 'ldap.urls', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'ldap', ldap: { urls: ['ldap://dc1', 'ldapx://dc2'], bindDnTemplate: 'uid={username}' } }, 'ldap.urls.1', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'ldap', ldap: { url: 'ldap://dc1', urls: ['ldap://dc2'], bindDnTemplate: 'uid={username}' } }, 'ldap.urls', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'ldap', ldap: { urls: ['ldap://svc:secret@dc1'], bindDnTemplate: 'uid={username}' } }, 'ldap.urls.0', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'ldap', ldap: { urls: ['ldap://dc1', 'ldaps://dc2'], startTls: true, bindDnTemplate: 'uid={username}' } }, 'ldap.startTls', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'ldap', ldap: { urls: ['ldap://dc1'], timeoutMs: 5, bindDnTemplate: 'uid={username}' } }, 'ldap.timeoutMs', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'ldap', ldap: { urls: ['ldap://dc1'], caFile: 'ca.pem', bindDnTemplate: 'uid={username}' } }, 'ldap.caFile', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'radius-proxy', upstream: { host: 'radius.example.org', secret: 'x' } }, 'upstream.secret', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'radius-proxy', upstream: { host: 'bad host', secret: 'upstreamsecret' } }, 'upstream.host', DomainErrorCode.ValidationFailed],
    [{ firstFactor: 'radius-proxy', upstream: { host: 'r1', port: 70000, secret: 'upstreamsecret' } }, 'upstream.port', DomainErrorCode.ValidationFailed],
  ])('rejects %j on field %s', (input, field, code) => {
    const error = errorOf(() => AddRadiusClient.create({ name: 'vpn', address: '10.0.0.1', secret: 'sharedsecret1', ...input }));
    expect(error.field).toBe(field);
    expect(error.code).toBe(code);
    expect(error.message).not.toContain('sharedsecret1');
  });

  it('seals the LDAP bind password and the upstream secret, each to its own context', () => {
    const { event } = added({
      firstFactor: 'ldap',
      ldap: { url: 'ldaps://dc1.example.org', searchBase: 'dc=example,dc=org', bindDn: 'cn=svc', bindPassword: 'bindpass' },
      upstream: { host: '192.0.2.10', secret: 'upstreamsecret' },
    });
    expect(JSON.stringify(event)).not.toMatch(/bindpass|upstreamsecret/);
    expect(sealer.open(event.data.ldap!.bindPassword!, SealContext.ldapBindPassword('c1'))).toBe('bindpass');
    expect(event.data.upstream).toMatchObject({ host: '192.0.2.10', port: 1812, timeoutMs: 5000 });
    expect(sealer.open(event.data.upstream!.secret, SealContext.radiusUpstreamSecret('c1'))).toBe('upstreamsecret');
    expect(() => sealer.open(event.data.upstream!.secret, SealContext.radiusSecret('c1'))).toThrow(DomainError);
  });

  it('keeps a list of LDAP servers tried in order, with a time-out and a CA file; one url is a list of one', () => {
    const { event } = added({ firstFactor: 'ldap', ldap: { urls: ['ldaps://dc1', 'ldaps://dc2:636'], timeoutMs: 2000, caFile: '/etc/twofold/ldap-ca.pem', bindDnTemplate: 'uid={username},dc=x' } });
    expect(event.schemaVersion).toBe(2);
    expect(event.data.ldap).toEqual({ urls: ['ldaps://dc1', 'ldaps://dc2:636'], timeoutMs: 2000, caFile: '/etc/twofold/ldap-ca.pem', bindDnTemplate: 'uid={username},dc=x' });
    expect(added({ firstFactor: 'ldap', ldap: { url: 'ldap://dc1', bindDnTemplate: 'uid={username}' } }).event.data.ldap).toEqual({ urls: ['ldap://dc1'], bindDnTemplate: 'uid={username}' });
  });

  it('reads v1 records (one LDAP url) as a list of one', () => {
    const v1Added = { type: 'RadiusClientAdded', schemaVersion: 1, payload: { clientId: 'c1', name: 'vpn', address: '10.0.0.1', firstFactor: 'ldap', requireMessageAuthenticator: true, secret: {}, ldap: { url: 'ldaps://dc1', bindDnTemplate: 'uid={username}' } } };
    const v1Updated = { type: 'RadiusClientUpdated', schemaVersion: 1, payload: { clientId: 'c1', changes: { ldap: { url: 'ldaps://dc2', bindDnTemplate: 'uid={username}' } } } };
    expect(foldRadiusClient([v1Added as never]).config!.ldap).toEqual({ urls: ['ldaps://dc1'], bindDnTemplate: 'uid={username}' });
    expect(foldRadiusClient([v1Added as never, v1Updated as never]).config!.ldap).toEqual({ urls: ['ldaps://dc2'], bindDnTemplate: 'uid={username}' });
  });

  it('refuses a taken name and an existing id', () => {
    const command = AddRadiusClient.create({ name: 'vpn', address: '10.0.0.1', secret: 'sharedsecret1' });
    expect(errorOf(() => decideAddRadiusClient(INITIAL_RADIUS_CLIENT_STATE, command, { sealer, nameTaken: true })).code).toBe(DomainErrorCode.DuplicateRadiusClient);
    expect(errorOf(() => decideAddRadiusClient(added().state, AddRadiusClient.create({ clientId: 'c1', name: 'x', address: '10.0.0.1', secret: 'sharedsecret1' }), { sealer, nameTaken: false })).code)
      .toBe(DomainErrorCode.AlreadyExists);
  });
});

describe('UpdateRadiusClient', () => {
  it('records only changed fields and a new sealed secret', () => {
    const { state } = added();
    const events = decideUpdateRadiusClient(state, UpdateRadiusClient.create({ clientId: 'c1', changes: { name: 'vpn', requireMessageAuthenticator: false }, secret: 'newsecret99' }), { sealer });
    const event = events[0] as RadiusClientUpdated;
    expect(event.data.changes).toEqual({ requireMessageAuthenticator: false });
    const next = foldRadiusClient(events.map(toRecord), state);
    expect(next.config?.requireMessageAuthenticator).toBe(false);
    expect(openRadiusSecret(sealer, 'c1', next.secret!)).toBe('newsecret99');
    expect(decideUpdateRadiusClient(next, UpdateRadiusClient.create({ clientId: 'c1', changes: { name: 'vpn' } }), { sealer })).toEqual([]);
  });

  it('needs the options of the mode it switches to, from the command or the stored config', () => {
    const { state } = added();
    expect(errorOf(() => decideUpdateRadiusClient(state, UpdateRadiusClient.create({ clientId: 'c1', changes: { firstFactor: 'radius-proxy' } }), { sealer })).field)
      .toBe('upstream');
    const events = decideUpdateRadiusClient(
      state,
      UpdateRadiusClient.create({ clientId: 'c1', changes: { firstFactor: 'radius-proxy', upstream: { host: 'r1', secret: 'upstreamsecret' } } }),
      { sealer },
    );
    const proxied = foldRadiusClient(events, state);
    expect(proxied.config?.firstFactor).toBe('radius-proxy');
    // Changing the timeout later keeps the stored upstream secret.
    const later = foldRadiusClient(
      decideUpdateRadiusClient(proxied, UpdateRadiusClient.create({ clientId: 'c1', changes: { upstream: { host: 'r1', timeoutMs: 2000 } } }), { sealer }),
      proxied,
    );
    expect(later.config?.upstream?.timeoutMs).toBe(2000);
    expect(sealer.open(later.config!.upstream!.secret, SealContext.radiusUpstreamSecret('c1'))).toBe('upstreamsecret');
  });

  it('refuses an upstream without a secret when none is stored', () => {
    const { state } = added();
    expect(errorOf(() => decideUpdateRadiusClient(state, UpdateRadiusClient.create({ clientId: 'c1', changes: { upstream: { host: 'r1' } } }), { sealer })).field)
      .toBe('changes.upstream.secret');
  });

  it('needs a change, a known client, and the version the caller saw', () => {
    expect(errorOf(() => UpdateRadiusClient.create({ clientId: 'c1' })).field).toBe('changes');
    expect(errorOf(() => UpdateRadiusClient.create({ clientId: 'c1', changes: { address: '300.1.1.1' } })).code).toBe(DomainErrorCode.InvalidAddress);
    expect(errorOf(() => decideUpdateRadiusClient(INITIAL_RADIUS_CLIENT_STATE, UpdateRadiusClient.create({ clientId: 'c1', changes: { name: 'x' } }), { sealer })).code)
      .toBe(DomainErrorCode.UnknownRadiusClient);
    expect(errorOf(() => decideUpdateRadiusClient(added().state, UpdateRadiusClient.create({ clientId: 'c1', changes: { name: 'x' }, expectedVersion: 0 }), { sealer })).code)
      .toBe(DomainErrorCode.VersionConflict);
  });
});

describe('RemoveRadiusClient', () => {
  it('removes a client once and drops its secret', () => {
    const { state } = added();
    const removed = foldRadiusClient(decideRemoveRadiusClient(state, RemoveRadiusClient.create({ clientId: 'c1' })), state);
    expect(removed).toMatchObject({ removed: true, secret: null, version: 2 });
    expect(errorOf(() => decideRemoveRadiusClient(removed, RemoveRadiusClient.create({ clientId: 'c1' }))).code).toBe(DomainErrorCode.UnknownRadiusClient);
  });
});
