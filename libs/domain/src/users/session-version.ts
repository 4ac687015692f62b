// Events after which a user's earlier sign-ins no longer vouch for them: a disable, a lockout, a
// fraud block, a PIN or password change, a deletion. A proof of sign-in (an SDK user assertion)
// carries the user's sessionVersion when it was issued and is refused once it has moved on.
const ENDS_SIGN_INS = new Set([
  'UserDisabled', 'UserLockedOut', 'UserBlockedForFraud', 'UserPinSet', 'UserPinCleared', 'UserPasswordSet', 'UserDeleted',
]);

// The `sessionVersion` field of the state after an event of this type at stream version `version`.
export function sessionVersionAfter(type: string, version: number): { sessionVersion: number } | Record<string, never> {
  return ENDS_SIGN_INS.has(type) ? { sessionVersion: version } : {};
}

// States folded before this field existed read as 0, on issue and on check alike.
export function sessionVersionOf(state: { sessionVersion?: number }): number {
  return state.sessionVersion ?? 0;
}
