import { DataSource } from 'typeorm';
import { openStorage, TypeOrmEventStore } from '@twofold/event-store';
import { SecretKeyring } from '@twofold/domain';
import { Argon2idHasher, TEST_ARGON2ID_PARAMS } from '@twofold/mfa';
import { ReadModelProjector, ReadModelQueries } from '@twofold/read-model';
import { SYSTEM_ACTOR } from '../actor';
import { CommandService } from '../command-service';

export interface Harness {
  dataSource: DataSource;
  store: TypeOrmEventStore;
  projector: ReadModelProjector;
  queries: ReadModelQueries;
  commands: CommandService;
  close(): Promise<void>;
}

const KEY = Buffer.alloc(32, 7);
// The harness's cluster key: whoever projects a harness-written log needs it for users' contact.
export const testKeyring = (): SecretKeyring => new SecretKeyring('k1', { k1: KEY });

// A node's storage, read model and write side, wired as the server wires them. It lives with the
// write side (the layer above the read model) so that no import runs up the layers.
export async function openHarness(url: string, clock?: () => Date): Promise<Harness> {
  const dataSource = await openStorage({ url });
  const store = new TypeOrmEventStore(dataSource, clock ? { clock } : {});
  const projector = new ReadModelProjector(dataSource, { sealer: testKeyring() });
  await projector.init();
  await projector.catchUp(store);
  projector.follow(store);
  const queries = new ReadModelQueries(dataSource);
  const commands = new CommandService({
    store, projector, queries, nodeId: 'node-test', clock,
    sealer: testKeyring(), hasher: new Argon2idHasher(TEST_ARGON2ID_PARAMS),
  });
  return { dataSource, store, projector, queries, commands, async close() { projector.stop(); await store.close(); } };
}

// Opens a harness on `url`, hands it to `body` and closes it however `body` ends.
export async function withHarness<T>(url: string, body: (h: Harness) => Promise<T>): Promise<T> {
  const h = await openHarness(url);
  try {
    return await body(h);
  } finally {
    await h.close();
  }
}

// Every kind of event the read model projects, including deletes, lockouts and removals.
export async function runScenario(h: Harness, users = 12): Promise<void> {
  const c = h.commands;
  const a = SYSTEM_ACTOR;
  await c.updateSettings({ lockout: { failuresBeforeLockout: 2 }, pin: { minLength: 5 } }, a);
  for (let i = 0; i < users; i++) {
    const u = await c.createUser({ username: `user${i}`, displayName: `User ${i}`, email: `u${i}@example.com`, phones: [{ label: 'mobile', number: `+4915100000${String(i).padStart(2, '0')}` }] }, a);
    if (i % 2 === 0) await c.setPin(u.userId, { pin: '48213' }, a);
    if (i % 3 === 0) {
      const { token } = await c.assignOathToken(u.userId, { kind: i % 2 ? 'hotp' : 'totp', label: 'phone' }, a);
      await c.security.record({ kind: 'code_used', userId: u.userId, tokenId: token!.tokenId, counter: 1000 + i, source: 'radius:test' });
    }
    if (i % 4 === 0) {
      // Mobile-app devices: an activation, a push request, and for some a removal and a decision.
      const { activationCode } = await c.devices.issueActivation(u.userId, a);
      const { deviceId } = await c.devices.activate({ activationCode, name: `phone ${i}`, publicKey: 'M'.repeat(122) }, a);
      await c.security.record({ kind: 'push_requested', userId: u.userId, approvalKey: `key${i}`, approvalId: `sealed${i}`, source: 'radius:test' });
      if (i % 8 === 0) {
        await c.devices.remove(u.userId, deviceId, a);
        await c.approvals.decide({ approvalKey: `key${i}`, userId: u.userId }, { decision: 'approve' }, a);
      }
    }
    if (i % 4 === 1) await c.updateUser(u.userId, { displayName: `Renamed ${i}`, preferredMethod: 'sms' }, a);
    if (i % 5 === 2) { await c.security.record({ kind: 'failed_attempt', userId: u.userId, reason: 'bad code', source: 'radius:test' }); await c.security.record({ kind: 'failed_attempt', userId: u.userId, reason: 'bad code', source: 'radius:test' }); }
    if (i % 6 === 3) await c.changeUserStatus(u.userId, 'block', {}, a);
    if (i % 7 === 4) await c.changeUserStatus(u.userId, 'disable', {}, a);
    if (i % 8 === 5) await c.setPassword(u.userId, { password: 'correct horse battery' }, a);
    if (i % 9 === 6) await c.deleteUser(u.userId, a);
  }
  const vpn = await c.radiusClients.add({ name: 'vpn', address: '10.0.0.0/8', secret: 'vpn-shared-secret' }, a);
  await c.radiusClients.add({ name: 'wifi', address: '192.168.1.10', secret: 'wifi-shared-secret', requireMessageAuthenticator: false }, a);
  await c.radiusClients.update(vpn.clientId, { address: '10.1.0.0/16', secret: 'rotated-secret-1' }, a);
  const gone = await c.radiusClients.add({ name: 'old', address: '172.16.0.1', secret: 'old-shared-secret' }, a);
  await c.radiusClients.remove(gone.clientId, a);
  const adfs = await c.access.issueSdkCredential({ name: 'adfs', scopes: ['authenticate', 'users:read'] }, a);
  await c.access.issueSdkCredential({ name: 'portal', scopes: ['self-service'] }, a);
  await c.access.revokeSdkCredential(adfs.credentialId, a);
  await c.access.addAdministrator({ name: 'alice' }, a);
  const bob = await c.access.addAdministrator({ name: 'bob' }, a);
  await c.access.removeAdministrator(bob.adminId, a);
  // Membership: the founder with its certificate, a rotation, a removal.
  const address = { host: '127.0.0.1', httpPort: 8443, replicationPort: 4443 };
  await c.cluster.registerFounder({ nodeId: 'node-m1', nodeName: 'm1', fingerprint: 'a'.repeat(64), ...address });
  await c.cluster.recordNodeCertificate({ nodeId: 'node-m1', nodeName: 'm1' }, 'b'.repeat(64), 'reissued', a);
  await c.cluster.recordNodeCertificate({ nodeId: 'node-s9', nodeName: 's9' }, 'c'.repeat(64), 'first-use', a);
  await c.cluster.removeNode({ nodeId: 'node-s9', nodeName: 's9', isMaster: false }, a);
}
