import { createHash, X509Certificate } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

// checkServerIdentity for node-to-node HTTPS (write forwarding, epoch probes). A certificate from
// the cluster CA must be the one the log recorded for that node: a client certificate cannot answer
// for a node. A certificate from another issuer (the enterprise PKI, TWOFOLD_HTTPS_CERT_FILE) has
// already been verified by TLS against TWOFOLD_HTTPS_PEER_CA_FILE / the system CAs and the host name.
export function pinnedNodeCertificate(fingerprint: string | null, clusterCaPem: string, what = 'this node') {
  const clusterCa = new X509Certificate(clusterCaPem);
  return (name: string, cert: PeerCertificate): Error | undefined => {
    const wrongName = checkServerIdentity(name, cert);
    if (wrongName || !fingerprint) return wrongName;
    if (!cert.raw) return new Error(`${what} presented no certificate`);
    let fromClusterCa: boolean;
    try {
      fromClusterCa = new X509Certificate(cert.raw).checkIssued(clusterCa);
    } catch {
      return new Error(`${what} presented a certificate that cannot be read`);
    }
    if (fromClusterCa && createHash('sha256').update(cert.raw).digest('hex') !== fingerprint) {
      return new Error(`${what} presented a certificate other than the one recorded for it`);
    }
    return undefined;
  };
}
