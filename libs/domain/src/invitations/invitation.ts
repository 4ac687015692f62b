import { z } from 'zod';
import { defineCommand } from '../commands/command';
import { idField, sourceField } from '../commands/fields';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { EventLike } from '../events/event-record';
import { EventTypes, narrowEvent } from '../events/narrow-event';
import { InvitationEvent, InvitationIssued, InvitationUsed } from './invitation.events';

// An invitation lets a user who has no second factor yet sign in once (with their first factor)
// to enrol one. Stream `invitation-<invitationId>`: issued, then used at most once, on any node.
// The log keeps a SHA-256 of the secret part of the code (80 random bits), never the code.
export const invitationStream = (invitationId: string) => `invitation-${invitationId}`;

const hashField = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex');

export const IssueInvitation = defineCommand('IssueInvitation', z.strictObject({
  invitationId: idField, userId: idField, secretHash: hashField, expiresAt: z.string().datetime(),
}));
export type IssueInvitation = ReturnType<typeof IssueInvitation.create>;

export const UseInvitation = defineCommand('UseInvitation', z.strictObject({
  invitationId: idField, userId: idField, secretHash: hashField, source: sourceField,
}));
export type UseInvitation = ReturnType<typeof UseInvitation.create>;

export interface InvitationState { version: number; userId: string | null; secretHash: string | null; expiresAt: string | null; used: boolean }

const INVITATION_EVENTS: EventTypes<InvitationEvent> = { InvitationIssued: true, InvitationUsed: true };

export function foldInvitation(events: Iterable<EventLike>, from: InvitationState = { version: 0, userId: null, secretHash: null, expiresAt: null, used: false }): InvitationState {
  let state = from;
  for (const e of events) {
    const event = narrowEvent(e, INVITATION_EVENTS);
    if (event?.type === 'InvitationIssued') {
      state = { ...state, version: state.version + 1, userId: event.data.userId, secretHash: event.data.secretHash, expiresAt: event.data.expiresAt };
    } else {
      state = { ...state, version: state.version + 1, used: state.used || event?.type === 'InvitationUsed' };
    }
  }
  return state;
}

export function decideIssueInvitation(state: InvitationState, command: IssueInvitation): InvitationIssued[] {
  if (state.version !== 0) throw DomainError.rule(DomainErrorCode.AlreadyExists, 'invitationId', 'An invitation with this id already exists.');
  const { invitationId, userId, secretHash, expiresAt } = command;
  return [{ type: 'InvitationIssued', schemaVersion: 1, data: { invitationId, userId, secretHash, expiresAt } }];
}

// Unknown, for another user, wrong secret and expired read the same: nothing to learn by probing.
export function decideUseInvitation(state: InvitationState, command: UseInvitation, ctx: { now: Date }): InvitationUsed[] {
  const valid = state.userId === command.userId && state.secretHash === command.secretHash && state.expiresAt !== null && Date.parse(state.expiresAt) > ctx.now.getTime();
  if (!valid) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'code', 'The invitation code is not valid or has expired.');
  if (state.used) throw DomainError.rule(DomainErrorCode.CodeAlreadyUsed, 'code', 'This invitation has already been used.');
  return [{ type: 'InvitationUsed', schemaVersion: 1, data: { invitationId: command.invitationId, userId: command.userId, at: ctx.now.toISOString(), source: command.source } }];
}
