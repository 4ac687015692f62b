import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { EventLike, makeEvent } from '../events/event-record';
import { EventTypes, narrowEvent } from '../events/narrow-event';
import { NodeCertificateReason, NodeCertificateRecorded, NodeIdentityEvent, NodeRemoved } from './cluster.events';

// A node is its certificate: the log records the SHA-256 fingerprint (lower-case hex over the DER)
// of the certificate issued to each node, and peers are accepted only by that fingerprint.
// Stream `node-<nodeId>` holds what happens to a node after it joined (rotation, removal); the
// first record is appended with the join itself, in the join-token stream.
export const nodeStream = (nodeId: string) => `node-${nodeId}`;


export interface NodeState { version: number; fingerprint: string | null; removed: boolean }

const NODE_EVENTS: EventTypes<NodeIdentityEvent> = { NodeCertificateRecorded: true, NodeRemoved: true };

export function foldNode(events: Iterable<EventLike>, from: NodeState = { version: 0, fingerprint: null, removed: false }): NodeState {
  let s = from;
  for (const e of events) {
    const event = narrowEvent(e, NODE_EVENTS);
    s = { ...s, version: s.version + 1 };
    if (event?.type === 'NodeCertificateRecorded') s = { ...s, fingerprint: event.data.fingerprint };
    if (event?.type === 'NodeRemoved') s = { ...s, removed: true };
  }
  return s;
}

const FINGERPRINT = /^[0-9a-f]{64}$/;

export function nodeCertificateRecorded(node: { nodeId: string; nodeName: string }, fingerprint: string, reason: NodeCertificateReason, now: Date): NodeCertificateRecorded {
  if (!FINGERPRINT.test(fingerprint)) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'fingerprint', 'A certificate fingerprint is 64 lower-case hex digits (SHA-256).');
  return makeEvent('NodeCertificateRecorded', { nodeId: node.nodeId, nodeName: node.nodeName, fingerprint, reason, at: now.toISOString() });
}

// Rotation and first-use pinning: a removed node gets no new certificate (join it again instead).
export function decideRecordNodeCertificate(state: NodeState, node: { nodeId: string; nodeName: string }, fingerprint: string, reason: NodeCertificateReason, now: Date): NodeCertificateRecorded[] {
  if (state.removed) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'name', `Node ${node.nodeName} has been removed; join it again with a new token.`);
  if (state.fingerprint === fingerprint) return [];
  return [nodeCertificateRecorded(node, fingerprint, reason, now)];
}

// The current master cannot remove itself (promote another node first).
export function decideRemoveNode(state: NodeState, node: { nodeId: string; nodeName: string; isMaster: boolean }, now: Date): NodeRemoved[] {
  if (node.isMaster) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'name', `Node ${node.nodeName} is the master; promote another node before removing it.`);
  if (state.removed) return [];
  return [makeEvent('NodeRemoved', { nodeId: node.nodeId, nodeName: node.nodeName, at: now.toISOString() })];
}
