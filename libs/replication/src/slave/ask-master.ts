import { createHash } from 'node:crypto';
import { connect } from 'node:tls';
import type { TlsMaterial } from '../master/replication-master';
import { PROTOCOL_VERSION, type LogPoint } from '../protocol/messages';
import { ReplicationError } from '../replication-error';
import { FrameSocket } from '../transport/frame-socket';

export interface AskMasterOptions {
  clusterId: string;
  nodeId: string;
  nodeName: string;
  epoch: number; // ours: a master refuses a hello whose epoch is above its own
  head: LogPoint;
  master: { host: string; port: number; nodeName: string; fingerprint?: string };
  tls: TlsMaterial & { servername?: string };
  timeoutMs?: number;
}

export interface MasterAnswer { epoch: number; head: LogPoint; commonName: string; fingerprint: string }

// One probe hello to a master's replication listener: what epoch it runs and where its log is.
// This is what a claim of a newer master is checked against: the answer comes from the replication
// listener (only a master runs one) over mutual TLS, from the certificate of the node named.
export function askMaster(o: AskMasterOptions): Promise<MasterAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, answer?: MasterAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(answer!);
    };
    const socket = connect({
      host: o.master.host, port: o.master.port, key: o.tls.key, cert: o.tls.cert, ca: o.tls.ca, servername: o.tls.servername,
      rejectUnauthorized: true, minVersion: 'TLSv1.2',
    });
    const timer = setTimeout(() => conn.destroy(new ReplicationError('not_connected', 'no answer from the master in time')), o.timeoutMs ?? 5000);
    let peer = { commonName: '', fingerprint: '' };
    const conn = new FrameSocket(socket, {
      onMessage: (m) => {
        if (m.type === 'ancestor') finish(null, { epoch: m.epoch, head: m.head, ...peer });
        else if (m.type === 'refuse') finish(new ReplicationError('refused', `the master refused: ${m.reason}: ${m.message}`, { reason: m.reason, epoch: m.epoch }));
        else finish(new ReplicationError('protocol_error', `unexpected ${m.type} in answer to a probe`));
        conn.end();
      },
      onClose: (err) => finish(err ?? new ReplicationError('not_connected', 'the master closed the connection')),
    });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const cn = cert?.subject?.CN;
      peer = { commonName: Array.isArray(cn) ? cn[0] : (cn ?? ''), fingerprint: cert?.raw ? createHash('sha256').update(cert.raw).digest('hex') : '' };
      // The listener must be the node the claim names, not any node of the cluster CA.
      if (peer.commonName !== o.master.nodeName || (o.master.fingerprint && o.master.fingerprint !== peer.fingerprint)) {
        conn.destroy();
        finish(new ReplicationError('refused', `the replication listener at ${o.master.host}:${o.master.port} is ${peer.commonName || 'unnamed'}, not ${o.master.nodeName}`));
        return;
      }
      conn.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, clusterId: o.clusterId, nodeId: o.nodeId, nodeName: o.nodeName, epoch: o.epoch, head: o.head, checkpoints: [], probe: true });
    });
  });
}
