import { GENESIS_HASH, type TypeOrmEventStore } from '@twofold/event-store';
import { createClusterCa, issueCertificate } from '@twofold/platform';
import type { ReplicationMaster } from './master/replication-master';
import type { HelloMessage } from './protocol/messages';
import { serialize } from './protocol/serializer';
import { ReplicationPeer } from '../../../test/support/replication-peer';
import type { ReplicationLogger } from './replication-logger';
import { appendTicks, CLUSTER_ID, firstRefusal, Harness, harnessPerTest, makePki, type Pki, waitFor } from './testing/cluster-fixture';

// A hand-driven peer with a real certificate, for feeding the master bytes no honest slave sends;
// it says hello as a named node of this cluster.
async function rawPeer(master: ReplicationMaster, tls: { key: string; cert: string; ca: string }) {
  const peer = await ReplicationPeer.open(master.address().port, tls);
  const helloAs = (name: string, overrides: Partial<HelloMessage> = {}) => peer.hello({ clusterId: CLUSTER_ID, nodeId: `id-${name}`, nodeName: name, ...overrides });
  return Object.assign(peer, { helloAs });
}

function capturingLogger(): ReplicationLogger & { lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> } {
  const lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ level, msg, obj });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

describe('replication: bad peers are refused while an honest slave keeps streaming', () => {
  let pki: Pki;
  let h: Harness;
  let mStore: TypeOrmEventStore;
  let honestStore: TypeOrmEventStore;
  let master: ReplicationMaster;
  let log: ReturnType<typeof capturingLogger>;
  let writer: Promise<void>;
  let writing: boolean;

  beforeAll(() => {
    pki = makePki();
  });

  beforeEach(async () => {
    h = new Harness(pki);
    log = capturingLogger();
    mStore = await h.sqliteStore();
    await appendTicks(mStore, 100);
    master = await h.master(mStore, { logger: log, handshakeTimeoutMs: 500 });
    honestStore = await h.sqliteStore();
    h.slave(master, honestStore, 'honest').start();
    await waitFor('honest slave following', async () => (await honestStore.head()).position === 100);
    // Writes keep flowing during the whole test.
    writing = true;
    writer = (async () => {
      while (writing) {
        await appendTicks(mStore, 5, 5);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
  });

  afterEach(async () => {
    writing = false;
    await writer;
    await h.close();
  });

  // The honest slave is still connected, once, and reaches the master's head after the bad peer.
  async function honestStillStreaming(): Promise<void> {
    writing = false;
    await writer;
    await appendTicks(mStore, 10); // written after the bad peer was dealt with
    const head = await mStore.head();
    expect(head.position).toBeGreaterThan(110);
    await waitFor('honest slave at the head', async () => (await honestStore.head()).hash === head.hash);
    expect(master.status().map((s) => s.nodeName)).toEqual(['honest']);
    expect((await honestStore.verify()).ok).toBe(true);
  }

  it('garbage bytes close only that connection', async () => {
    const peer = await rawPeer(master, h.tls('garbage'));
    peer.socket.write('GET /replication HTTP/1.1\r\nHost: master\r\n\r\n');
    await waitFor('garbage peer closed', () => peer.closed);
    await honestStillStreaming();
  });

  it('a truncated frame is dropped by the handshake timeout', async () => {
    const peer = await rawPeer(master, h.tls('truncated'));
    const frame = serialize({ type: 'hello', protocolVersion: 1, clusterId: CLUSTER_ID, nodeId: 'id-truncated', nodeName: 'truncated', epoch: 0, head: { position: 0, hash: GENESIS_HASH } });
    peer.socket.write(frame.subarray(0, frame.length - 7));
    await waitFor('truncated peer closed', () => peer.closed);
    expect(peer.received).toEqual([]);
    expect(log.lines.some((l) => l.msg.includes('no handshake in time'))).toBe(true);
    await honestStillStreaming();
  });

  it('a message other than hello first gets a protocol_error refusal', async () => {
    const peer = await rawPeer(master, h.tls('chatty'));
    peer.socket.write(serialize({ type: 'ack', position: 5 }));
    await waitFor('chatty peer closed', () => peer.closed);
    expect(peer.received).toEqual([expect.objectContaining({ type: 'refuse', reason: 'protocol_error' })]);
    await honestStillStreaming();
  });

  it('a wrong cluster id is refused with wrong_cluster, logged on both sides', async () => {
    const slaveLog = capturingLogger();
    const bad = h.slave(master, await h.sqliteStore(), 'intruder', { clusterId: 'another-cluster', logger: slaveLog });
    const refusal = await firstRefusal(bad);
    expect(refusal.reason).toBe('wrong_cluster');
    expect(bad.status().lastRefusal?.reason).toBe('wrong_cluster');
    expect(log.lines.some((l) => l.msg === 'replication: slave refused' && l.obj.reason === 'wrong_cluster')).toBe(true);
    expect(slaveLog.lines.some((l) => l.msg === 'replication: refused by master' && l.obj.reason === 'wrong_cluster')).toBe(true);
    await honestStillStreaming();
  });

  it('a certificate not signed by the cluster CA fails the TLS handshake', async () => {
    const rogueCa = createClusterCa('rogue');
    const rogueCert = issueCertificate(rogueCa, 'rogue', { hosts: ['127.0.0.1'] });
    const rogueStore = await h.sqliteStore();
    const rogue = h.slave(master, rogueStore, 'rogue', { tls: { key: rogueCert.keyPem, cert: rogueCert.certPem, ca: h.pki.ca.certPem } });
    const connected: unknown[] = [];
    rogue.on('connected', (w) => connected.push(w));
    rogue.start();
    await waitFor('master logged the TLS refusal', () => log.lines.some((l) => l.msg === 'replication: TLS handshake refused'));
    await rogue.stop();
    expect(connected).toEqual([]);
    expect((await rogueStore.head()).position).toBe(0);
    await honestStillStreaming();
  });

  it('a certificate of the cluster CA cannot claim another node name', async () => {
    const peer = await rawPeer(master, h.tls('mallory'));
    peer.helloAs('honest-twin', { nodeName: 'honest', nodeId: 'id-honest' });
    await waitFor('closed', () => peer.closed);
    expect(peer.received[0]).toMatchObject({ type: 'refuse', reason: 'unknown_node' });
    await honestStillStreaming();
  });

  it('isAllowedNode can refuse a node by id and certificate fingerprint', async () => {
    const seen: Array<[string, string]> = [];
    const strict = await h.master(await h.sqliteStore(), {
      isAllowedNode: (nodeId, fingerprint) => {
        seen.push([nodeId, fingerprint]);
        return false;
      },
    });
    const peer = await rawPeer(strict, h.tls('newcomer'));
    peer.helloAs('newcomer');
    await waitFor('closed', () => peer.closed);
    expect(peer.received[0]).toMatchObject({ type: 'refuse', reason: 'unknown_node' });
    expect(seen[0][0]).toBe('id-newcomer');
    expect(seen[0][1]).toMatch(/^[0-9a-f]{64}$/);
    await honestStillStreaming();
  });

  it('isAllowedNode is asked again per upstream message: a node removed after its handshake is closed and its message not applied', async () => {
    let member = true;
    const gated = await h.master(await h.sqliteStore(), { isAllowedNode: () => member || 'node removed' });
    const peer = await rawPeer(gated, h.tls('revoked'));
    peer.helloAs('revoked');
    await waitFor('welcomed', () => peer.received.some((m) => m.type === 'welcome'));
    peer.socket.write(serialize({ type: 'upstream', id: 'before', kind: 'fraud', payload: {} }));
    await waitFor('first applied', () => h.upstream.some((u) => u.event.id === 'before'));
    member = false;
    peer.socket.write(serialize({ type: 'upstream', id: 'after', kind: 'fraud', payload: {} }));
    await waitFor('closed', () => peer.closed);
    expect(h.upstream.map((u) => u.event.id)).toEqual(['before']);
    expect(gated.status()).toEqual([]);
    await honestStillStreaming();
  });

  it('dropNode closes that session at once and its acks stop counting for synchronous replication', async () => {
    const peer = await rawPeer(master, h.tls('tagged'));
    peer.helloAs('tagged');
    await waitFor('first batch', () => peer.received.some((m) => m.type === 'batch'));
    peer.socket.write(serialize({ type: 'ack', position: 50 }));
    await master.waitForAcks(50, 2, 5000); // the honest slave and this one
    master.dropNode('id-tagged', 'node removed');
    await waitFor('closed', () => peer.closed);
    await expect(master.waitForAcks(50, 2, 100)).rejects.toMatchObject({ code: 'ack_timeout' });
    await honestStillStreaming();
  });

  it('a slave whose verifyMaster refuses the master\'s certificate sends nothing and appends nothing', async () => {
    const seen: string[] = [];
    const store = await h.sqliteStore();
    const wary = h.slave(master, store, 'wary', { verifyMaster: (p) => (seen.push(p.fingerprint), 'not the recorded master') });
    const refusal = await firstRefusal(wary);
    expect(refusal.reason).toBe('untrusted_master');
    expect(seen[0]).toMatch(/^[0-9a-f]{64}$/);
    expect((await store.head()).position).toBe(0);
    expect(master.status().map((s) => s.nodeName)).toEqual(['honest']);
    await honestStillStreaming();
  });

  it('a forged history (a position whose hash differs) is refused with diverged_history', async () => {
    const slaveLog = capturingLogger();
    const forgedStore = await h.sqliteStore();
    // Same positions as the master's first 50, different content.
    await forgedStore.append('forged', 0, Array.from({ length: 50 }, (_, i) => ({ type: 'Tick', schemaVersion: 1, payload: { forged: i }, metadata: { actor: 'x', nodeId: 'x', epoch: 0 } })));
    const forged = h.slave(master, forgedStore, 'forger', { logger: slaveLog });
    const refusal = await firstRefusal(forged);
    expect(refusal.reason).toBe('diverged_history');
    expect(refusal.ancestor?.match.position).toBe(0);
    expect((await forgedStore.head()).position).toBe(50); // nothing appended
    expect(log.lines.some((l) => l.obj.reason === 'diverged_history' && l.obj.nodeId === 'id-forger')).toBe(true);
    expect(slaveLog.lines.some((l) => l.obj.reason === 'diverged_history')).toBe(true);
    await honestStillStreaming();
  });

  it('an unsupported protocol version is refused', async () => {
    const peer = await rawPeer(master, h.tls('future'));
    peer.helloAs('future', { protocolVersion: 99 });
    await waitFor('closed', () => peer.closed);
    expect(peer.received[0]).toMatchObject({ type: 'refuse', reason: 'unsupported_version' });
    await honestStillStreaming();
  });

  it('a slave that has seen a higher epoch fences this master: stale_master refusal and an epochSeen event', async () => {
    const seen: number[] = [];
    master.on('epochSeen', (e) => seen.push(e));
    const peer = await rawPeer(master, h.tls('newer'));
    peer.helloAs('newer', { epoch: 3 });
    await waitFor('closed', () => peer.closed);
    expect(peer.received[0]).toMatchObject({ type: 'refuse', reason: 'stale_master', epoch: 0 });
    expect(seen).toEqual([3]);
    await honestStillStreaming();
  });
});

describe('replication: back-pressure and epochs', () => {
  const h = harnessPerTest();

  it('a slave that stops reading holds the master at the in-flight cap; others are unaffected', async () => {
    const mStore = await h.sqliteStore();
    await appendTicks(mStore, 20_000, 1000);
    const master = await h.master(mStore, { batchSize: 100, maxBatchesInFlight: 4, heartbeatMs: 1000, idleTimeoutMs: 60_000 });
    const stalled = await rawPeer(master, h.tls('stalled'));
    stalled.socket.pause(); // reads nothing, acks nothing
    stalled.helloAs('stalled');
    await waitFor('stalled session at its cap', () => master.status().some((s) => s.nodeName === 'stalled' && s.sentPosition === 400));

    const honestStore = await h.sqliteStore();
    h.slave(master, honestStore, 'honest').start();
    await waitFor('honest slave caught up', async () => (await honestStore.head()).position === 20_000, 60_000);
    await appendTicks(mStore, 1000, 100);
    await waitFor('honest slave at the new head', async () => (await honestStore.head()).position === 21_000);

    const stuck = master.status().find((s) => s.nodeName === 'stalled')!;
    expect(stuck).toMatchObject({ sentPosition: 400, ackedPosition: 0, inFlight: 400, maxInFlight: 400, lagEvents: 21_000 });

    // Acknowledging opens the window by exactly what was acknowledged.
    stalled.socket.write(serialize({ type: 'ack', position: 250 }));
    await waitFor('window moved', () => master.status().find((s) => s.nodeName === 'stalled')?.sentPosition === 650);
    expect(master.status().find((s) => s.nodeName === 'stalled')).toMatchObject({ ackedPosition: 250, inFlight: 400 });
  });

  it('an ack beyond what was sent is a protocol error for that slave only', async () => {
    const mStore = await h.sqliteStore();
    await appendTicks(mStore, 10);
    const master = await h.master(mStore);
    const peer = await rawPeer(master, h.tls('liar'));
    peer.helloAs('liar');
    await waitFor('welcomed', () => peer.received.some((m) => m.type === 'welcome'));
    peer.socket.write(serialize({ type: 'ack', position: 1_000_000 }));
    await waitFor('closed', () => peer.closed);
    expect(peer.received.at(-1)).toMatchObject({ type: 'refuse', reason: 'protocol_error' });
  });

  it('a slave learns a higher epoch from the master at once, and from an epoch notice later', async () => {
    const mStore = await h.sqliteStore();
    let masterEpoch = 2;
    const master = await h.master(mStore, { epoch: () => masterEpoch, heartbeatMs: 50 });
    const slave = h.slave(master, await h.sqliteStore(), 'follower', { epoch: () => 1 });
    const seen: number[] = [];
    slave.on('epochSeen', (e) => seen.push(e));
    slave.start();
    await waitFor('epoch 2 seen', () => seen.length === 1);
    masterEpoch = 3;
    await waitFor('epoch 3 seen', () => seen.length === 2);
    expect(seen).toEqual([2, 3]);
    expect(slave.status().masterEpoch).toBe(2); // as welcomed; the notice is reported by the event
  });
});
