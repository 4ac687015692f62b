import { z } from 'zod';
import { defineCommand } from '../commands/command';
import { idField, sourceField } from '../commands/fields';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { ApprovalOutcome, OutOfBandApprovalDecided } from './approval.events';
import { EventLike, makeEvent, recordOf } from '../events/event-record';

// An out-of-band (push, voice) approval is decided once, anywhere in the cluster; the node that
// holds the waiting request sees the decision arrive through its log subscription.
// Stream `approval-<approvalKey>`; the key is the nonce of the sealed approval id.
export const approvalStream = (approvalKey: string) => `approval-${approvalKey}`;

export const DecideApproval = defineCommand(
  'DecideApproval',
  z.strictObject({
    approvalKey: idField,
    userId: idField,
    decision: z.enum(['approved', 'denied', 'fraud']),
    source: sourceField,
  }),
);
export type DecideApproval = ReturnType<typeof DecideApproval.create>;

export interface ApprovalState { version: number; decided: ApprovalOutcome | null }

export function foldApproval(events: Iterable<EventLike>, from: ApprovalState = { version: 0, decided: null }): ApprovalState {
  let state = from;
  for (const e of events) {
    const { type, payload } = recordOf(e);
    state = { version: state.version + 1, decided: type === 'OutOfBandApprovalDecided' ? (payload.decision as ApprovalOutcome) : state.decided };
  }
  return state;
}

export function decideApproval(state: ApprovalState, command: DecideApproval, ctx: { now: Date }): OutOfBandApprovalDecided[] {
  if (state.decided !== null) throw DomainError.rule(DomainErrorCode.AlreadyExists, 'approvalId', 'This approval request has already been decided.');
  return [makeEvent('OutOfBandApprovalDecided', {
    approvalKey: command.approvalKey, userId: command.userId, decision: command.decision, at: ctx.now.toISOString(), source: command.source,
  })];
}
