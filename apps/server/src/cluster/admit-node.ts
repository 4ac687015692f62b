import { decodeJoinToken } from '@twofold/commands';
import { DomainError, DomainErrorCode } from '@twofold/domain';
import { certificateFingerprint, ClusterIdentity, KeyAndCert } from '@twofold/platform';
import type { NodeRuntime } from '../node/node-runtime';
import { issueNodeCertificate } from './certificate-authority';
import { joinRequest } from './join-request';

// No CA key: a joined node never issues certificates unless an administrator gives it the key on
// purpose (README, "Where the CA key lives").
export interface Admission {
  identity: ClusterIdentity;
  masterKey: string; // base64
  ca: { certPem: string };
  tls: KeyAndCert;
}

// A new node presents its one-time token: the log records the join and the fingerprint of the
// certificate issued to it (once, before expiry), and the node gets what its data directory needs.
export async function admitNode(runtime: Pick<NodeRuntime, 'dataDir' | 'role' | 'commands' | 'replication'>, body: unknown): Promise<Admission> {
  const input = joinRequest(body);
  const token = decodeJoinToken(input.token);
  const { dataDir } = runtime;
  if (token.caFingerprint !== certificateFingerprint(dataDir.ca.certPem)) {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, 'token', 'The join token was issued by another cluster.');
  }
  runtime.role.assertWritable();
  let tls: KeyAndCert | undefined;
  const nodeName = await runtime.commands.cluster.join(token, input, (name) => {
    tls = issueNodeCertificate(runtime, name, [input.host]);
    return certificateFingerprint(tls.certPem);
  });
  const { identity } = dataDir;
  return {
    identity: {
      clusterId: identity.clusterId, nodeId: input.nodeId, nodeName, createdAt: new Date().toISOString(),
      founderNodeId: identity.founderNodeId ?? identity.nodeId,
      // The joining node pins this certificate for the master until its log names the master's own.
      joinedMaster: { ...runtime.replication.self, certFingerprint: certificateFingerprint(dataDir.tls.certPem) },
    },
    masterKey: dataDir.masterKey.toString('base64'),
    ca: { certPem: dataDir.ca.certPem },
    tls: tls!,
  };
}
