import { DomainError, DomainErrorCode } from '@twofold/domain';
import type { Actor } from '@twofold/commands';
import { certificateFingerprint, installNodeCertificate, KeyAndCert } from '@twofold/platform';
import type { NodeRuntime } from '../node/node-runtime';
import { assertCanIssue, issueNodeCertificate, issueSdkClientCertificate } from './certificate-authority';

// What the member administration uses of the node.
export type NodeAdminDeps = Pick<NodeRuntime, 'queries' | 'role' | 'dataDir' | 'commands' | 'replication' | 'logger'>;

// The administrator's view of the members: who they are, which certificate the log pins, removed or not.
export async function listNodes(rt: NodeAdminDeps) {
  const identities = new Map((await rt.queries.listNodeIdentities()).map((n) => [n.nodeId, n]));
  return (await rt.queries.listClusterNodes()).map((n) => {
    const id = identities.get(n.nodeId);
    return {
      nodeId: n.nodeId, nodeName: n.nodeName, host: n.host, httpPort: n.httpPort, replicationPort: n.replicationPort, joinedAt: n.joinedAt,
      certificateFingerprint: id?.fingerprint ?? null, certificateRecordedAt: id?.recordedAt ?? null, certificateReason: id?.reason ?? null,
      removed: id?.removed ?? false, removedAt: id?.removedAt ?? null,
      master: rt.role.master?.nodeId === n.nodeId,
    };
  });
}

async function member(rt: NodeAdminDeps, name: string) {
  const nodes = (await rt.queries.listClusterNodes()).filter((n) => n.nodeName === name || n.nodeId === name);
  const identities = await rt.queries.listNodeIdentities();
  // A name can be joined again after removal: the member that is not removed is the one meant.
  const current = nodes.find((n) => !identities.some((i) => i.nodeId === n.nodeId && i.removed)) ?? nodes[0];
  if (!current) throw DomainError.rule(DomainErrorCode.UnknownNode, 'name', `No node named ${name} is a member of this cluster.`);
  return current;
}

// NodeRemoved: its certificate is refused on the replication port and by the SDK/forwarding guard
// (every node reads the same record), its open session closes now, and it stops counting toward
// synchronous replication.
export async function removeNode(rt: NodeAdminDeps, name: string, actor: Actor) {
  rt.role.assertWritable();
  const node = await member(rt, name);
  const isMaster = node.nodeId === rt.dataDir.identity.nodeId || rt.role.master?.nodeId === node.nodeId;
  const removed = await rt.commands.cluster.removeNode({ nodeId: node.nodeId, nodeName: node.nodeName, isMaster }, actor);
  rt.replication.dropNode(node.nodeId, 'node removed');
  return { nodeId: node.nodeId, nodeName: node.nodeName, removed: true, changed: removed };
}

// Rotation: a new certificate for the node, its fingerprint recorded; the old one is refused from
// now on. The key and certificate are returned once, to be installed in that node's data directory
// (tls/node.key.pem, tls/node.pem) before it is restarted. For this node itself they are installed
// here and take effect on its restart.
export async function reissueNodeCertificate(rt: NodeAdminDeps, name: string, actor: Actor): Promise<{ nodeId: string; nodeName: string; fingerprint: string; installed: boolean } & KeyAndCert> {
  rt.role.assertWritable();
  assertCanIssue(rt);
  const node = await member(rt, name);
  const tls = issueNodeCertificate(rt, node.nodeName, [node.host]);
  const fingerprint = certificateFingerprint(tls.certPem);
  await rt.commands.cluster.recordNodeCertificate({ nodeId: node.nodeId, nodeName: node.nodeName }, fingerprint, 'reissued', actor);
  const self = node.nodeId === rt.dataDir.identity.nodeId;
  if (self) installNodeCertificate(rt.dataDir.path, tls);
  else rt.replication.dropNode(node.nodeId, 'certificate re-issued');
  rt.logger.warn({ node: node.nodeName, fingerprint }, 'node certificate re-issued; the previous one is refused from now on');
  return { nodeId: node.nodeId, nodeName: node.nodeName, fingerprint, installed: self, ...tls };
}

// A client certificate for an SDK application, issued here so the CA key never leaves this node.
// Bind it to a credential with POST /admin/v1/sdk-credentials { certificateFingerprint }.
export function issueClientCertificate(rt: NodeAdminDeps, body: unknown) {
  rt.role.assertWritable();
  const name = (body as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9._ -]{1,64}$/.test(name)) {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, 'name', 'name is required: letters, digits, space, dot, dash, underscore (1 to 64); it becomes the certificate\'s CN.');
  }
  const issued = issueSdkClientCertificate(rt, name);
  return { name, certificateFingerprint: issued.fingerprint, certPem: issued.certPem, keyPem: issued.keyPem, caPem: rt.dataDir.ca.certPem };
}
