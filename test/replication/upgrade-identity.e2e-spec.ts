import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createEventStore } from '@twofold/event-store';
import { certificateFingerprint, issueCertificate, openDataDir, writeJoinedDataDir } from '@twofold/platform';
import { ServerProcess } from '../support/server-process';
import { freePort } from '../support/ports';
import { ReplicationPeer } from '../support/replication-peer';
import { eventually } from '../support/eventually';
import { killAll } from './support/cluster-nodes';

// A cluster written by a release that recorded no certificate fingerprints (NodeJoined only, the
// slave's join pinned nothing) still starts after the upgrade: the master records its own
// certificate, and the slave's on its first connection (trust on first use, logged). From then on
// the pin holds like any other.

describe('upgrading a cluster that recorded no certificate fingerprints', () => {
  let master: ServerProcess | undefined;
  let slave: ServerProcess | undefined;

  afterAll(() => killAll(slave, master));

  it('starts, pins the certificates the nodes present, and refuses any other afterwards', async () => {
    // The data directories and log an earlier release left behind.
    const masterDir = join(mkdtempSync(join(tmpdir(), 'twofold-old-m1-')), 'data');
    const slaveDir = join(mkdtempSync(join(tmpdir(), 'twofold-old-s1-')), 'data');
    const [httpPort, replicationPort, slaveHttp, slaveRepl] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const m = openDataDir(masterDir, { nodeName: 'm1' });
    const ca = { certPem: m.ca.certPem, keyPem: m.ca.keyPem! };
    const slaveId = randomUUID();
    const at = new Date().toISOString();
    const store = await createEventStore({ url: m.sqlitePath });
    const meta = { actor: 'system', nodeId: m.identity.nodeId, epoch: 0 };
    await store.append('join-token-founder', 0, [{ type: 'NodeJoined', schemaVersion: 1, metadata: meta, payload: {
      tokenId: 'founder', nodeId: m.identity.nodeId, nodeName: 'm1', host: '127.0.0.1', httpPort, replicationPort, at } }]);
    await store.append('join-token-t1', 0, [
      { type: 'JoinTokenIssued', schemaVersion: 1, metadata: meta, payload: { tokenId: 't1', nodeName: 's1', expiresAt: at, secretHash: 'x' } },
      { type: 'NodeJoined', schemaVersion: 1, metadata: { ...meta, actor: `node:${slaveId}` }, payload: {
        tokenId: 't1', nodeId: slaveId, nodeName: 's1', host: '127.0.0.1', httpPort: slaveHttp, replicationPort: slaveRepl, at } },
    ]);
    await store.close();
    const slaveCert = issueCertificate(ca, 's1', { hosts: ['localhost', '127.0.0.1'] });
    writeJoinedDataDir(slaveDir, {
      identity: { clusterId: m.identity.clusterId, nodeId: slaveId, nodeName: 's1', createdAt: at, founderNodeId: m.identity.nodeId,
        joinedMaster: { nodeId: m.identity.nodeId, nodeName: 'm1', host: '127.0.0.1', httpPort, replicationPort } },
      masterKey: m.masterKey, ca, tls: slaveCert,
    });
    writeFileSync(join(slaveDir, 'tls/ca.key.pem'), ca.keyPem, { mode: 0o600 }); // what `twofold join` used to copy

    master = await ServerProcess.start({ dataDir: masterDir, httpPort, replicationPort, env: { TWOFOLD_NODE_NAME: 'm1' } });
    slave = await ServerProcess.start({ dataDir: slaveDir, adminToken: master.adminToken, httpPort: slaveHttp, replicationPort: slaveRepl, env: { TWOFOLD_NODE_NAME: 's1' } });
    await eventually('s1 follows', async () => ((await master!.api('GET', '/admin/v1/status')).body.slaves as Array<{ nodeName: string }>).some((s) => s.nodeName === 's1'));
    expect((await master.api('POST', '/admin/v1/users', { username: 'after-upgrade' })).status).toBe(201);
    await eventually('replicated', async () => (await slave!.api('GET', '/admin/v1/users/after-upgrade')).status === 200);

    const nodes = (await master.api('GET', '/admin/v1/cluster/nodes')).body as Array<{ nodeName: string; certificateFingerprint: string; certificateReason: string }>;
    expect(nodes.map((n) => [n.nodeName, n.certificateFingerprint, n.certificateReason])).toEqual([
      ['m1', certificateFingerprint(m.tls.certPem), 'first-use'],
      ['s1', certificateFingerprint(slaveCert.certPem), 'first-use'],
    ]);
    await master.waitForLog((l) => String(l.msg).startsWith('recorded the certificate this node presented'));
    await slave.waitForLog((l) => String(l.msg).startsWith('this node holds the cluster CA key'));
    expect(master.logLines().some((l) => String(l.msg).startsWith('this node holds the cluster CA key'))).toBe(false);
    // The slave now knows the master's pin from the log too.
    await eventually('pin on the slave', async () => ((await slave!.api('GET', '/admin/v1/cluster/nodes')).body as Array<{ certificateFingerprint: string | null }>).every((n) => n.certificateFingerprint));

    // Once pinned, another certificate with s1's name is refused.
    const twin = issueCertificate(ca, 's1', { hosts: ['127.0.0.1'] });
    const peer = await ReplicationPeer.open(replicationPort, { key: twin.keyPem, cert: twin.certPem, ca: ca.certPem });
    peer.hello({ clusterId: m.identity.clusterId, nodeId: slaveId, nodeName: 's1' });
    await eventually('closed', async () => peer.closed);
    expect(peer.types()).toEqual(['refuse']);
    expect(JSON.parse(readFileSync(join(slaveDir, 'cluster.json'), 'utf8')).joinedMaster.certFingerprint).toBeUndefined();
  });
});
