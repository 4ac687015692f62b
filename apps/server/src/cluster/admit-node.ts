import { decodeJoinToken } from '@twofold/commands';
import { DomainError, DomainErrorCode } from '@twofold/domain';
import { certificateFingerprint, ClusterIdentity, issueCertificate, KeyAndCert } from '@twofold/platform';
import type { NodeRuntime } from '../node/node-runtime';
import { joinRequest } from './join-request';

export interface Admission {
  identity: ClusterIdentity;
  masterKey: string; // base64
  ca: KeyAndCert;
  tls: KeyAndCert;
}

// A new node presents its one-time token: the log records the join (once, before expiry), and the
// node gets its certificate under the cluster CA and the keys its data directory needs.
export async function admitNode(runtime: NodeRuntime, body: unknown): Promise<Admission> {
  const input = joinRequest(body);
  const token = decodeJoinToken(input.token);
  const { dataDir } = runtime;
  if (token.caFingerprint !== certificateFingerprint(dataDir.ca.certPem)) {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, 'token', 'The join token was issued by another cluster.');
  }
  const caKey = dataDir.ca.keyPem;
  if (!caKey) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'token', 'This node holds no CA key and cannot admit nodes.');
  runtime.role.assertWritable();
  const nodeName = await runtime.commands.cluster.join(token, input);
  const tls = issueCertificate({ certPem: dataDir.ca.certPem, keyPem: caKey }, nodeName, { hosts: ['localhost', '127.0.0.1', '::1', nodeName, input.host] });
  const { identity } = dataDir;
  return {
    identity: {
      clusterId: identity.clusterId, nodeId: input.nodeId, nodeName, createdAt: new Date().toISOString(),
      founderNodeId: identity.founderNodeId ?? identity.nodeId,
      joinedMaster: runtime.replication.self,
    },
    masterKey: dataDir.masterKey.toString('base64'),
    ca: { certPem: dataDir.ca.certPem, keyPem: caKey },
    tls,
  };
}
