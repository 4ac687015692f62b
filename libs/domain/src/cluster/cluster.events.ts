import { DomainEvent } from '../events/event';

export type ClusterEpochStarted = DomainEvent<'ClusterEpochStarted', { epoch: number; masterNodeId: string; masterNodeName: string; at: string }>;
export type JoinTokenIssued = DomainEvent<'JoinTokenIssued', { tokenId: string; nodeName: string; expiresAt: string; secretHash: string }>;
// Where a node can be reached: how slaves find a new master, and an old master its successor.
export interface NodeAddress { host: string; httpPort: number; replicationPort: number }
export type NodeJoined = DomainEvent<'NodeJoined', { tokenId: string; nodeId: string; nodeName: string; at: string } & NodeAddress>;
// joined / founded: issued with the membership. first-use: a cluster upgraded from a release that
// recorded no fingerprints pinned the certificate the node first presented (logged). reissued: rotation.
export type NodeCertificateReason = 'joined' | 'founded' | 'first-use' | 'reissued';
export type NodeCertificateRecorded = DomainEvent<'NodeCertificateRecorded', { nodeId: string; nodeName: string; fingerprint: string; reason: NodeCertificateReason; at: string }>;
export type NodeRemoved = DomainEvent<'NodeRemoved', { nodeId: string; nodeName: string; at: string }>;
export type NodeIdentityEvent = NodeCertificateRecorded | NodeRemoved;
export type ClusterEvent = ClusterEpochStarted | JoinTokenIssued | NodeJoined | NodeIdentityEvent;
