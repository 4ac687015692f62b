import { createHash } from 'node:crypto';
import { request } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { MasterAddress, Role } from './cluster-role';

export interface PeerEpoch { nodeId: string; nodeName: string; role: Role; epoch: number; fenced: boolean; master: MasterAddress | null }

// Asks a node (over HTTPS, trusting only the cluster CA) which epoch and master it knows. With
// `fingerprint` (the certificate the log recorded for that node) any other certificate is refused,
// even one from the cluster CA: a client certificate cannot answer for a node.
export function probePeer(host: string, httpPort: number, ca: string, fingerprint: string | null = null, timeoutMs = 1500): Promise<PeerEpoch | null> {
  const pinned = (cert: PeerCertificate) => (fingerprint && (!cert.raw || createHash('sha256').update(cert.raw).digest('hex') !== fingerprint)
    ? new Error('the certificate is not the one recorded for this node') : undefined);
  return new Promise((resolve) => {
    const req = request({
      host, port: httpPort, path: '/cluster/v1/epoch', method: 'GET', ca, timeout: timeoutMs, agent: false, servername: host === '127.0.0.1' ? undefined : host,
      checkServerIdentity: (name, cert) => checkServerIdentity(name, cert) ?? pinned(cert),
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { if (body.length < 65536) body += c; });
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(body) as PeerEpoch) : null);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}
