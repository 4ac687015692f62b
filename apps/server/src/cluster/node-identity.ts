import { certificateFingerprint, CLIENT_CERTIFICATE_OU } from '@twofold/platform';
import type { PeerIdentity, MasterPeer } from '@twofold/replication';
import type { NodeServices } from '../node/node-services';

// What these checks read and record.
export type NodeIdentityDeps = Pick<NodeServices, 'queries' | 'commands' | 'role' | 'logger' | 'dataDir'>;

// A node is its certificate. These checks decide who may replicate (either direction) by the
// fingerprint the log recorded for the node id a peer claims; see README "Node identity".

// On the master, for a slave's hello: a member, not removed, presenting the recorded certificate.
// A member listed by an earlier release has no fingerprint yet: the first certificate it presents
// is pinned once (trust on first use, logged), provided it names that node, is not a client
// certificate and is not bound to an SDK credential.
export async function admitReplicationPeer(rt: NodeIdentityDeps, nodeId: string, peer: PeerIdentity): Promise<true | string> {
  const identity = await rt.queries.getNodeIdentity(nodeId);
  if (identity?.removed) return `node ${identity.nodeName} has been removed from this cluster`;
  const member = (await rt.queries.listClusterNodes()).find((n) => n.nodeId === nodeId);
  if (!member) return `node ${nodeId} is not a member of this cluster`;
  if (identity?.fingerprint) {
    return identity.fingerprint === peer.fingerprint ? true : `the certificate presented is not the one recorded for node ${member.nodeName}`;
  }
  if (peer.commonName !== member.nodeName) return `the certificate is for ${peer.commonName}, not ${member.nodeName}`;
  if (peer.units.includes(CLIENT_CERTIFICATE_OU) || (await rt.queries.findSdkCredentialByFingerprint(peer.fingerprint))) {
    return 'a client certificate cannot identify a node';
  }
  if (!rt.role.writable) return 'this node cannot record certificates (not the writable master)';
  await rt.commands.cluster.recordNodeCertificate(member, peer.fingerprint, 'first-use', { actor: `node:${member.nodeName}` });
  rt.logger.warn({ node: member.nodeName, fingerprint: peer.fingerprint }, 'recorded the certificate this node presented (first connection since the upgrade); re-issue it with `twofold cluster reissue-cert` if in doubt');
  return true;
}

// The fingerprint this node expects for another node: the log's, or (a node just joined, whose log
// does not name the master yet) the one its join pinned.
export async function expectedFingerprint(rt: Pick<NodeIdentityDeps, 'queries' | 'dataDir'>, nodeId: string): Promise<{ fingerprint: string | null; removed: boolean }> {
  const identity = await rt.queries.getNodeIdentity(nodeId);
  if (identity) return { fingerprint: identity.fingerprint, removed: identity.removed };
  const joined = rt.dataDir.identity.joinedMaster;
  return { fingerprint: joined?.nodeId === nodeId ? (joined.certFingerprint ?? null) : null, removed: false };
}

// On a slave, before its hello: the master it dials must present the certificate recorded for the
// master it follows. Without any record (a cluster upgraded from an earlier release, until the
// master's own record replicates) the cluster CA alone vouches for it, as before.
export async function verifyMaster(rt: NodeIdentityDeps, masterNodeId: string, peer: MasterPeer): Promise<string | null> {
  const expected = await expectedFingerprint(rt, masterNodeId);
  if (expected.removed) return `the master's node has been removed from this cluster`;
  if (expected.fingerprint && expected.fingerprint !== peer.fingerprint) return `the certificate presented (${peer.commonName}) is not the one recorded for the master`;
  return null;
}

// A master started by an earlier release never recorded its own certificate: it does on its first
// start, and whenever its certificate file was replaced (logged).
export async function recordOwnCertificate(rt: NodeIdentityDeps): Promise<void> {
  const { identity } = rt.dataDir;
  const fingerprint = certificateFingerprint(rt.dataDir.tls.certPem);
  const recorded = await rt.queries.getNodeIdentity(identity.nodeId);
  if (recorded?.fingerprint === fingerprint) return;
  await rt.commands.cluster.recordNodeCertificate({ nodeId: identity.nodeId, nodeName: identity.nodeName }, fingerprint, recorded ? 'reissued' : 'first-use', { actor: `node:${identity.nodeName}` });
  rt.logger.warn({ fingerprint }, 'recorded this node\'s own certificate in the log');
}

// Slaves that joined under an earlier release were given the CA key; say so once at start-up.
export function warnAboutCaKey(rt: NodeIdentityDeps): void {
  const { identity, ca } = rt.dataDir;
  if (ca.keyPem && identity.founderNodeId && identity.founderNodeId !== identity.nodeId) {
    rt.logger.warn('this node holds the cluster CA key (tls/ca.key.pem) although it did not create the cluster; unless it must issue certificates, delete the file (see README, "Where the CA key lives")');
  }
}
