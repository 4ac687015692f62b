import { connect, type TLSSocket } from 'node:tls';
import type { TlsMaterial } from '../master/replication-master';
import { PROTOCOL_VERSION, type HelloMessage, type LogPoint, type Message } from '../protocol/messages';
import { ReplicationError } from '../replication-error';
import { FrameSocket } from '../transport/frame-socket';
import { peerCertificate } from '../transport/peer-certificate';
import { DEFAULT_MAX_FRAME_BYTES } from '../protocol/frame-parser';

export interface MasterPeer {
  fingerprint: string; // lower-case hex SHA-256 of the certificate's DER
  commonName: string;
}

// What every connection of a slave to its master needs: who we are, where it is, how to trust it.
export interface DialOptions {
  clusterId: string;
  nodeId: string;
  nodeName: string; // must be the CN of tls.cert (the master checks)
  epoch: () => number;
  master: { host: string; port: number };
  tls: TlsMaterial & { servername?: string };
  maxFrameBytes?: number;
  verifyMaster?: (peer: MasterPeer) => string | null | Promise<string | null>;
}

export interface DialHandlers {
  onMessage(message: Message): void;
  onClose(err?: Error): void;
  // The master's certificate is not the one recorded: nothing was sent, the socket is closed.
  onUntrusted(detail: string): void;
}

export function helloFor(o: DialOptions, head: LogPoint, checkpoints: LogPoint[], probe = false): HelloMessage {
  return {
    type: 'hello',
    protocolVersion: PROTOCOL_VERSION,
    clusterId: o.clusterId,
    nodeId: o.nodeId,
    nodeName: o.nodeName,
    epoch: o.epoch(),
    head,
    checkpoints,
    ...(probe ? { probe: true } : {}),
  };
}

// One TLS connection to the master (the cluster CA as the only anchor, mutual certificates);
// once the master's certificate passes verifyMaster, the hello goes out.
export function dial(o: DialOptions, hello: HelloMessage, handlers: DialHandlers): FrameSocket {
  const { master, tls } = o;
  const socket = connect({
    host: master.host,
    port: master.port,
    key: tls.key,
    cert: tls.cert,
    ca: tls.ca,
    servername: tls.servername,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  });
  const conn = new FrameSocket(socket, { onMessage: handlers.onMessage, onClose: handlers.onClose }, o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  socket.once('secureConnect', () => void checkMaster(o, socket).then((refusal) => {
    if (refusal === null) return conn.send(hello);
    handlers.onUntrusted(refusal);
    conn.destroy(new ReplicationError('refused', refusal));
  }));
  return conn;
}

async function checkMaster(o: DialOptions, socket: TLSSocket): Promise<string | null> {
  const verify = o.verifyMaster;
  if (!verify) return null;
  const { fingerprint, commonName } = peerCertificate(socket);
  try {
    return await verify({ fingerprint, commonName });
  } catch (err) {
    return `the master's certificate could not be checked: ${(err as Error).message}`;
  }
}
