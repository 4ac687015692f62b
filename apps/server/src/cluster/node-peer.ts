import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Request } from 'express';
import type { NodeRuntime } from '../node/node-runtime';

// The member node on the other end of an HTTPS request: a verified cluster certificate whose CN is
// the name the log records for a node (and, when the log records one, that node's fingerprint).
export async function memberNodeOf(runtime: Pick<NodeRuntime, 'queries' | 'dataDir'>, req: Request): Promise<{ nodeId: string; nodeName: string } | null> {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized || typeof socket.getPeerCertificate !== 'function') return null;
  const cert = socket.getPeerCertificate();
  const cn = Array.isArray(cert?.subject?.CN) ? cert.subject.CN[0] : cert?.subject?.CN;
  if (!cn || !cert.raw) return null;
  const fingerprint = createHash('sha256').update(cert.raw).digest('hex');
  const node = (await runtime.queries.listClusterNodes()).find((n) => n.nodeName === cn && n.nodeId !== runtime.dataDir.identity.nodeId);
  if (!node) return null;
  const recorded = await runtime.queries.getNodeIdentity(node.nodeId);
  if (recorded?.removed || (recorded?.fingerprint && recorded.fingerprint !== fingerprint)) return null;
  return { nodeId: node.nodeId, nodeName: node.nodeName };
}
