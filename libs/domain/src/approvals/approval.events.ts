import { DomainEvent } from '../events/event';

export type ApprovalOutcome = 'approved' | 'denied' | 'fraud';

export type OutOfBandApprovalDecided = DomainEvent<'OutOfBandApprovalDecided', {
  approvalKey: string; userId: string; decision: ApprovalOutcome; at: string; source: string;
}>;

export type ApprovalEvent = OutOfBandApprovalDecided;
