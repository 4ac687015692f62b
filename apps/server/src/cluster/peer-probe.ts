import { request } from 'node:https';
import { tlsServername } from '@twofold/platform';
import type { MasterAddress, Role } from './cluster-role';

export interface PeerEpoch { nodeId: string; nodeName: string; role: Role; epoch: number; fenced: boolean; master: MasterAddress | null }

// Asks a node (over HTTPS, trusting `ca`: the cluster CA, or what peerHttpsCa gives) which epoch and master it knows.
export function probePeer(host: string, httpPort: number, ca: string | string[], timeoutMs = 1500): Promise<PeerEpoch | null> {
  return new Promise((resolve) => {
    const req = request({ host, port: httpPort, path: '/cluster/v1/epoch', method: 'GET', ca, timeout: timeoutMs, agent: false, servername: tlsServername(host) }, (res) => {
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
