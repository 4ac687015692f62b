import { request } from 'node:https';
import { tlsServername } from '@twofold/platform';
import type { MasterAddress, Role } from './cluster-role';
import { pinnedNodeCertificate } from './pinned-https';

export interface PeerEpoch { nodeId: string; nodeName: string; role: Role; epoch: number; fenced: boolean; master: MasterAddress | null }

// Asks a node (over HTTPS, trusting `ca`: the cluster CA first, then what peerHttpsCa adds) which
// epoch and master it knows. With `fingerprint` (the certificate the log recorded for that node) any
// other certificate from the cluster CA is refused: a client certificate cannot answer for a node.
export function probePeer(host: string, httpPort: number, ca: string | string[], fingerprint: string | null = null, timeoutMs = 1500): Promise<PeerEpoch | null> {
  const clusterCa = Array.isArray(ca) ? ca[0] : ca;
  return new Promise((resolve) => {
    const req = request({
      host, port: httpPort, path: '/cluster/v1/epoch', method: 'GET', ca, timeout: timeoutMs, agent: false, servername: tlsServername(host),
      checkServerIdentity: pinnedNodeCertificate(fingerprint, clusterCa, 'the peer'),
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

// Tells a node that a newer epoch may exist. Carries nothing to believe: the node checks with the
// master itself (NewerMasterFinder), so a forged notice costs it one check and nothing else.
export function noticePeer(host: string, httpPort: number, ca: string | string[], timeoutMs = 1500): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host, port: httpPort, path: '/cluster/v1/epoch-notice', method: 'POST', ca, timeout: timeoutMs, agent: false, servername: tlsServername(host) }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve());
    req.end();
  });
}
