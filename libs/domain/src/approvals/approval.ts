import { z } from 'zod';
import { defineCommand } from '../commands/command';
import { idField, sourceField } from '../commands/fields';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { ApprovalEvent, ApprovalOutcome, OutOfBandApprovalDecided } from './approval.events';
import { EventLike, makeEvent } from '../events/event-record';
import { EventTypes, narrowEvent } from '../events/narrow-event';

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

const APPROVAL_EVENTS: EventTypes<ApprovalEvent> = { OutOfBandApprovalDecided: true };

export function foldApproval(events: Iterable<EventLike>, from: ApprovalState = { version: 0, decided: null }): ApprovalState {
  let state = from;
  for (const e of events) {
    const event = narrowEvent(e, APPROVAL_EVENTS);
    state = { version: state.version + 1, decided: event?.type === 'OutOfBandApprovalDecided' ? event.data.decision : state.decided };
  }
  return state;
}

export function decideApproval(state: ApprovalState, command: DecideApproval, ctx: { now: Date }): OutOfBandApprovalDecided[] {
  if (state.decided !== null) throw DomainError.rule(DomainErrorCode.AlreadyExists, 'approvalId', 'This approval request has already been decided.');
  return [makeEvent('OutOfBandApprovalDecided', {
    approvalKey: command.approvalKey, userId: command.userId, decision: command.decision, at: ctx.now.toISOString(), source: command.source,
  })];
}
