import { ChallengeAnswer, isSecurityOutcomeKind, SecurityOutcome, SecurityOutcomeKind } from './security-outcome';

// The stored and wire form of a SecurityOutcome (a slave's outbox row, an upstream frame): its kind
// and a flat payload. Version 2 carries `v: 2` and every field; version 1 (written by releases
// before the typed vocabulary: no `v`) left source and reason optional. Both fields sets use the
// same names, so a master of the previous release still reads a version 2 payload.
export const SECURITY_OUTCOME_VERSION = 2;

export interface EncodedSecurityOutcome { kind: SecurityOutcomeKind; payload: Record<string, unknown> }

export type DecodedSecurityOutcome =
  | { ok: true; outcome: SecurityOutcome; version: 1 | 2 }
  | { ok: false; error: string };

export interface DecodeOptions {
  // Version 1 only: who the outcome names when the payload does not say (the sending node).
  defaultSource: string;
}

export function encodeSecurityOutcome(outcome: SecurityOutcome): EncodedSecurityOutcome {
  return { kind: outcome.kind, payload: { v: SECURITY_OUTCOME_VERSION, userId: outcome.userId, source: outcome.source, ...fieldsOf(outcome) } };
}

// What each kind carries beyond the fields all share, in its wire order (an answered challenge
// flat: nonce, expiresAt).
function fieldsOf(outcome: SecurityOutcome): Record<string, unknown> {
  switch (outcome.kind) {
    case 'failed_attempt':
    case 'fraud':
      return { reason: outcome.reason };
    case 'success':
    case 'unenrolled_pass':
      return {};
    case 'code_used':
      return { tokenId: outcome.tokenId, counter: outcome.counter };
    case 'oath_success':
      return { tokenId: outcome.tokenId, counter: outcome.counter, ...outcome.challenge };
    case 'challenge_success':
      return { ...outcome.challenge };
    case 'bypass_used':
      return { bypassId: outcome.bypassId };
    case 'push_requested':
      return { approvalKey: outcome.approvalKey, approvalId: outcome.approvalId };
    case 'approval_decided':
      return { approvalKey: outcome.approvalKey, decision: outcome.decision };
  }
}

const TEXT = 200;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= TEXT;

// The fields each kind needs, with their types: a malformed item is refused with the reason, never
// guessed at. A version 1 payload is upcast (missing source and reason filled in).
export function decodeSecurityOutcome(kind: unknown, payload: unknown, options: DecodeOptions): DecodedSecurityOutcome {
  const fail = (error: string): DecodedSecurityOutcome => ({ ok: false, error });
  if (!isSecurityOutcomeKind(kind)) return fail('not a security outcome kind');
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return fail('payload is not an object');
  const p = payload as Record<string, unknown>;
  const version = p.v === undefined ? 1 : p.v;
  if (version !== 1 && version !== SECURITY_OUTCOME_VERSION) return fail(`security outcome version ${String(version).slice(0, 20)} is not known to this release`);
  const v1 = version === 1;
  if (!isText(p.userId)) return fail('userId is missing or not text');
  if (p.source !== undefined ? !isText(p.source) : !v1) return fail('source is missing or not text');
  const userId = p.userId;
  const source = (p.source as string | undefined) ?? options.defaultSource;
  const reason = (fallback: string): string | null => (p.reason === undefined && v1 ? fallback : isText(p.reason) ? p.reason : null);
  const counter = (): { tokenId: string; counter: number } | string => {
    if (!isText(p.tokenId)) return 'tokenId is missing';
    if (!Number.isSafeInteger(p.counter) || (p.counter as number) < 0) return 'counter is not a non-negative integer';
    return { tokenId: p.tokenId, counter: p.counter as number };
  };
  const challenge = (): ChallengeAnswer | null => (isText(p.nonce) && isText(p.expiresAt) ? { nonce: p.nonce, expiresAt: p.expiresAt } : null);
  const ok = (outcome: SecurityOutcome): DecodedSecurityOutcome => ({ ok: true, outcome, version: v1 ? 1 : 2 });
  // The staged-rollout kinds came with version 2: there is no version 1 of them to upcast.
  if (v1 && (kind === 'bypass_used' || kind === 'unenrolled_pass' || kind === 'push_requested' || kind === 'approval_decided')) return fail(`${kind} has no version 1 (v is missing)`);

  switch (kind) {
    case 'failed_attempt':
    case 'fraud': {
      const r = reason(kind === 'fraud' ? 'fraud reported' : 'authentication failed');
      return r === null ? fail('reason is missing or not text') : ok({ kind, userId, reason: r, source });
    }
    case 'success':
      return ok({ kind, userId, source });
    case 'code_used': {
      const c = counter();
      return typeof c === 'string' ? fail(c) : ok({ kind, userId, source, ...c });
    }
    case 'oath_success': {
      const c = counter();
      if (typeof c === 'string') return fail(c);
      if (p.nonce === undefined && p.expiresAt === undefined) return ok({ kind, userId, source, ...c });
      const answered = challenge();
      return answered ? ok({ kind, userId, source, ...c, challenge: answered }) : fail('nonce or expiresAt is missing');
    }
    case 'challenge_success': {
      const answered = challenge();
      return answered ? ok({ kind, userId, source, challenge: answered }) : fail('nonce or expiresAt is missing');
    }
    case 'bypass_used':
      return isText(p.bypassId) ? ok({ kind, userId, bypassId: p.bypassId, source }) : fail('bypassId is missing or not text');
    case 'unenrolled_pass':
      return ok({ kind, userId, source });
    case 'push_requested': {
      const sealed = typeof p.approvalId === 'string' && p.approvalId.length <= 1024 ? p.approvalId : null;
      return isText(p.approvalKey) && sealed ? ok({ kind, userId, source, approvalKey: p.approvalKey, approvalId: sealed }) : fail('approvalKey or approvalId is missing or not text');
    }
    case 'approval_decided': {
      const decision = p.decision === 'approved' || p.decision === 'denied' || p.decision === 'fraud' ? p.decision : null;
      return isText(p.approvalKey) && decision ? ok({ kind, userId, source, approvalKey: p.approvalKey, decision }) : fail('approvalKey or decision is missing or not one of approved, denied, fraud');
    }
  }
}
