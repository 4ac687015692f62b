import { askMaster } from '@twofold/replication';
import type { NodeServices } from '../node/node-services';
import type { MasterAddress } from '../cluster/cluster-role';
import { tlsServername } from '@twofold/platform';
import { noticePeer, probePeer, type PeerEpoch } from '../cluster/peer-probe';
import { expectedFingerprint } from '../cluster/node-identity';
import { peerHttpsCa } from '../http/https-certificate';

export interface VerifiedMaster { epoch: number; master: MasterAddress }

// Finding out whether this node was replaced. Peers' HTTPS answers are claims only (any node, or
// anything that holds a cluster certificate, can say anything): a claim is believed once the named
// master's own replication listener, reached at the address the log records for that node and
// presenting that node's certificate, answers with the higher epoch.
export class NewerMasterFinder {
  constructor(private readonly rt: Pick<NodeServices, 'config' | 'dataDir' | 'role' | 'store' | 'logger' | 'queries'>) {}

  // Every peer the log knows (and the master this node joined), asked at once.
  async survey(): Promise<PeerEpoch[]> {
    const peers = await this.peers();
    const answers = await Promise.all(peers.map(async (p) => probePeer(p.host, p.httpPort, peerHttpsCa(this.rt.config, this.rt.dataDir), (await expectedFingerprint(this.rt, p.nodeId)).fingerprint)));
    return answers.filter((a): a is PeerEpoch => a !== null);
  }

  // The highest epoch a peer claims, confirmed by the master it names; null if none holds up.
  async findVerified(answers: PeerEpoch[]): Promise<VerifiedMaster | null> {
    const self = this.rt.dataDir.identity.nodeId;
    const claims = answers
      .filter((a) => a.master && !a.fenced && a.epoch > this.rt.role.epoch && a.master.nodeId !== self)
      .sort((a, b) => b.epoch - a.epoch);
    const tried = new Set<string>();
    for (const claim of claims) {
      const nodeId = claim.master!.nodeId;
      if (tried.has(nodeId)) continue;
      tried.add(nodeId);
      const verified = await this.verify(nodeId);
      if (verified) return verified;
    }
    return null;
  }

  // Asks the node's replication listener directly which epoch it runs as master.
  async verify(nodeId: string): Promise<VerifiedMaster | null> {
    const recorded = (await this.peers()).find((p) => p.nodeId === nodeId);
    if (!recorded) return null;
    const { dataDir, role, store, logger } = this.rt;
    const pinned = await expectedFingerprint(this.rt, nodeId);
    if (pinned.removed) return null;
    try {
      const answer = await askMaster({
        clusterId: dataDir.identity.clusterId, nodeId: dataDir.identity.nodeId, nodeName: dataDir.identity.nodeName,
        epoch: role.epoch, head: await store.head(),
        master: { host: recorded.host, port: recorded.replicationPort, nodeName: recorded.nodeName, ...(pinned.fingerprint ? { fingerprint: pinned.fingerprint } : {}) },
        tls: { key: dataDir.tls.keyPem, cert: dataDir.tls.certPem, ca: dataDir.ca.certPem, servername: tlsServername(recorded.host) },
      });
      if (answer.epoch <= role.epoch) return null;
      return { epoch: answer.epoch, master: { nodeId, nodeName: recorded.nodeName, host: recorded.host, httpPort: recorded.httpPort, replicationPort: recorded.replicationPort } };
    } catch (err) {
      logger.child({ component: 'replication' }).debug({ node: recorded.nodeName, err: (err as Error).message }, 'a claimed newer master could not be confirmed');
      return null;
    }
  }

  // A master tells peers that still act as master of an older epoch; they check for themselves.
  async tellStaleMasters(answers: PeerEpoch[]): Promise<void> {
    const { role, dataDir } = this.rt;
    const stale = answers.filter((a) => a.role === 'master' && !a.fenced && a.epoch < role.epoch && a.nodeId !== dataDir.identity.nodeId);
    if (stale.length === 0) return;
    const peers = await this.peers();
    await Promise.all(stale.map((a) => {
      const p = peers.find((x) => x.nodeId === a.nodeId);
      return p ? noticePeer(p.host, p.httpPort, peerHttpsCa(this.rt.config, dataDir)) : undefined;
    }));
  }

  async peers(): Promise<MasterAddress[]> {
    const { rt } = this;
    const self = rt.dataDir.identity.nodeId;
    const removed = new Set((await rt.queries.listNodeIdentities()).filter((n) => n.removed).map((n) => n.nodeId));
    const peers: MasterAddress[] = (await rt.queries.listClusterNodes()).filter((n) => n.nodeId !== self && !removed.has(n.nodeId));
    const joined = rt.dataDir.identity.joinedMaster;
    if (joined && joined.nodeId !== self && !peers.some((p) => p.nodeId === joined.nodeId)) peers.push(joined);
    return peers;
  }
}
