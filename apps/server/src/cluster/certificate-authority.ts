import { DomainError, DomainErrorCode } from '@twofold/domain';
import { CA_KEY_FILE, issueCertificate, issueClientCertificate, KeyAndCert } from '@twofold/platform';
import type { NodeRuntime } from '../node/node-runtime';

// Only the node that issues certificates holds the CA key: the founding master, or a node an
// administrator gave the key to on purpose. Everywhere else this says so instead of failing later.
// Only the data directory: the CA certificate and, on the issuing node, its key.
export type CertificateIssuerDeps = Pick<NodeRuntime, 'dataDir'>;

function caKey(runtime: CertificateIssuerDeps): KeyAndCert {
  const { dataDir } = runtime;
  if (!dataDir.ca.keyPem) {
    throw DomainError.rule(DomainErrorCode.CaKeyMissing, 'ca',
      `This node holds no CA key (${CA_KEY_FILE} in its data directory), so it cannot issue certificates or admit nodes. ` +
      `Copy ${CA_KEY_FILE} from the node that issued the cluster's certificates into this node's data directory (mode 0600) and restart it.`);
  }
  return { certPem: dataDir.ca.certPem, keyPem: dataDir.ca.keyPem };
}

export function assertCanIssue(runtime: CertificateIssuerDeps): void {
  caKey(runtime);
}

// A node certificate: the node OU, serverAuth + clientAuth, and every name the node is reached by.
export function issueNodeCertificate(runtime: CertificateIssuerDeps, nodeName: string, hosts: string[]): KeyAndCert {
  const names = [...new Set(['localhost', '127.0.0.1', '::1', nodeName, ...hosts])];
  return issueCertificate(caKey(runtime), nodeName, { role: 'node', hosts: names });
}

export function issueSdkClientCertificate(runtime: CertificateIssuerDeps, commonName: string): KeyAndCert & { fingerprint: string } {
  return issueClientCertificate(caKey(runtime), commonName);
}
