import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { EventLike, makeEvent } from '../events/event-record';
import { EventTypes, narrowEvent } from '../events/narrow-event';
import { ClusterEpochStarted, JoinTokenIssued, NodeAddress, NodeCertificateRecorded, NodeJoined } from './cluster.events';
import { nodeCertificateRecorded } from './node-identity';

// Stream `cluster`: who is master, from which epoch on. Epoch 0 (no record) is the founder.
// A node whose log shows a higher epoch naming another node must not accept writes.
export const CLUSTER_STREAM = 'cluster';
export const joinTokenStream = (tokenId: string) => `join-token-${tokenId}`;

export interface ClusterState { version: number; epoch: number; masterNodeId: string | null; masterNodeName: string | null }

const CLUSTER_EVENTS: EventTypes<ClusterEpochStarted> = { ClusterEpochStarted: true };

export function foldCluster(events: Iterable<EventLike>, from: ClusterState = { version: 0, epoch: 0, masterNodeId: null, masterNodeName: null }): ClusterState {
  let s = from;
  for (const e of events) {
    const event = narrowEvent(e, CLUSTER_EVENTS);
    s = { ...s, version: s.version + 1 };
    if (event && event.data.epoch > s.epoch) {
      s = { ...s, epoch: event.data.epoch, masterNodeId: event.data.masterNodeId, masterNodeName: event.data.masterNodeName };
    }
  }
  return s;
}

// Promotion: this node becomes master with the next epoch.
export function decidePromotion(state: ClusterState, node: { nodeId: string; nodeName: string }, now: Date): ClusterEpochStarted[] {
  return [makeEvent('ClusterEpochStarted', { epoch: state.epoch + 1, masterNodeId: node.nodeId, masterNodeName: node.nodeName, at: now.toISOString() })];
}

export interface JoinTokenState { version: number; issued: boolean; nodeName: string | null; expiresAt: string | null; secretHash: string | null; usedBy: string | null }

const JOIN_TOKEN_EVENTS: EventTypes<JoinTokenIssued | NodeJoined> = { JoinTokenIssued: true, NodeJoined: true };

export function foldJoinToken(
  events: Iterable<EventLike>,
  from: JoinTokenState = { version: 0, issued: false, nodeName: null, expiresAt: null, secretHash: null, usedBy: null },
): JoinTokenState {
  let s = from;
  for (const e of events) {
    const event = narrowEvent(e, JOIN_TOKEN_EVENTS);
    s = { ...s, version: s.version + 1 };
    if (event?.type === 'JoinTokenIssued') s = { ...s, issued: true, nodeName: event.data.nodeName, expiresAt: event.data.expiresAt, secretHash: event.data.secretHash };
    if (event?.type === 'NodeJoined') s = { ...s, usedBy: event.data.nodeId };
  }
  return s;
}

export function decideIssueJoinToken(state: JoinTokenState, input: { tokenId: string; nodeName: string; expiresAt: Date; secretHash: string }): JoinTokenIssued[] {
  if (state.issued) throw DomainError.rule(DomainErrorCode.AlreadyExists, 'tokenId', 'A join token with this id already exists.');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(input.nodeName)) {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, 'name', 'Node names use letters, digits, dot, dash and underscore (1 to 64).');
  }
  return [makeEvent('JoinTokenIssued', { tokenId: input.tokenId, nodeName: input.nodeName, expiresAt: input.expiresAt.toISOString(), secretHash: input.secretHash })];
}

// A join token works once, before it expires, for the node name it was issued to.
// secretValid: the caller checked the presented secret against state.secretHash in constant time.
// certificateFor: issues the node's certificate once the token is good; its fingerprint is recorded
// with the join, in the same append, so no member ever exists without its identity.
export function decideJoin(
  state: JoinTokenState, input: { tokenId: string; nodeId: string; secretValid: boolean; certificateFor: (nodeName: string) => string } & NodeAddress, now: Date,
): Array<NodeJoined | NodeCertificateRecorded> {
  const invalid = (rule: string) => DomainError.rule(DomainErrorCode.ValidationFailed, 'token', rule);
  if (!state.issued || !input.secretValid) throw invalid('The join token is not valid.');
  if (state.usedBy) throw invalid('The join token has already been used.');
  if (state.expiresAt && Date.parse(state.expiresAt) <= now.getTime()) throw invalid('The join token has expired.');
  const { nodeId, host, httpPort, replicationPort } = input;
  const nodeName = state.nodeName!;
  return [
    makeEvent('NodeJoined', { tokenId: input.tokenId, nodeId, nodeName, host, httpPort, replicationPort, at: now.toISOString() }),
    nodeCertificateRecorded({ nodeId, nodeName }, input.certificateFor(nodeName), 'joined', now),
  ];
}

// The founding master lists itself once (stream join-token-founder), so others can find it, with
// the fingerprint of its certificate. A founder listed by an earlier release (no fingerprint) is
// pinned separately (decideRecordNodeCertificate, reason first-use).
export function decideRegisterFounder(state: JoinTokenState, node: { nodeId: string; nodeName: string; fingerprint: string } & NodeAddress, now: Date): Array<NodeJoined | NodeCertificateRecorded> {
  if (state.usedBy) return [];
  const { fingerprint, ...address } = node;
  return [
    makeEvent('NodeJoined', { tokenId: 'founder', ...address, at: now.toISOString() }),
    nodeCertificateRecorded(node, fingerprint, 'founded', now),
  ];
}
