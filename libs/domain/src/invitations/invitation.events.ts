import { DomainEvent } from '../events/event';

export type InvitationIssued = DomainEvent<'InvitationIssued', { invitationId: string; userId: string; secretHash: string; expiresAt: string }>;
export type InvitationUsed = DomainEvent<'InvitationUsed', { invitationId: string; userId: string; at: string; source: string }>;
export type InvitationEvent = InvitationIssued | InvitationUsed;
