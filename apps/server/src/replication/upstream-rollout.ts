import { decideRecordBypassUsed, decideRecordUnenrolledPass, RecordBypassUsed, RecordUnenrolledPass, type DomainEvent, type UserState } from '@twofold/domain';

// The events a sign-in without a second factor (staged rollout) stands for on a slave, before the
// master has appended them: a once-only bypass is spent here at once.
export function waivedEvents(state: UserState, p: { userId: string; source: string; bypassId?: string }, now: Date): DomainEvent[] {
  return p.bypassId
    ? decideRecordBypassUsed(state, RecordBypassUsed.create({ userId: p.userId, bypassId: p.bypassId, source: p.source }), { now })
    : decideRecordUnenrolledPass(state, RecordUnenrolledPass.create({ userId: p.userId, source: p.source }), { now });
}
