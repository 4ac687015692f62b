import {
  decideRecordChallengeConsumed, decideRecordOathCodeUsed, decideRecordSuccessfulAuthentication, RecordChallengeConsumed, evaluateFailure, evaluateFraudReport, evolveUser, RecordOathCodeUsed,
  RecordSuccessfulAuthentication, Settings, UserState, DomainEvent, DomainError, DomainErrorCode, isDomainError,
} from '@twofold/domain';
import { waivedEvents } from './upstream-rollout';
import type { SecurityEventSink, SecurityEvents } from '@twofold/commands';
import type { ReadModelQueries } from '@twofold/read-model';
import type { UpstreamOutbox, UpstreamRefusal } from '@twofold/replication';
import type { NodeRuntime } from '../node/node-runtime';
import type { UpstreamVerdicts } from './upstream-verdicts';
import { counterAllowed, isUpstreamKind, upstreamPayload, type UpstreamKind } from './upstream-checks';

export type { UpstreamKind } from './upstream-checks';

interface Pending { id: string; userId: string; events: DomainEvent[] }

// What an Accept rests on: a once-only code or challenge. These wait for the master's verdict.
const CONFIRMED_KINDS = new Set<UpstreamKind>(['code_used', 'oath_success', 'challenge_success', 'second_factor_waived']);

// Security events raised on a slave: kept in the durable outbox until the master appends them,
// and enforced here in the meantime (a lockout reached on this node holds on this node at once).
export class UpstreamSecurityEvents implements SecurityEventSink {
  // Not-yet-replicated events by user (each user's in the order raised): an authentication folds
  // only its own user's, however many other users have events waiting.
  private readonly pending = new Map<string, Map<string, Pending>>();
  private readonly userOf = new Map<string, string>();

  constructor(
    private readonly outbox: UpstreamOutbox,
    private readonly queries: ReadModelQueries,
    private readonly clock: () => Date,
    private readonly verdicts?: UpstreamVerdicts,
  ) {}

  // The read model's state with this node's not-yet-replicated security events folded on top.
  async getUserState(userId: string): Promise<UserState | null> {
    const state = await this.queries.getUserState(userId);
    if (!state) return null;
    let s = state;
    for (const p of this.pending.get(userId)?.values() ?? []) for (const e of p.events) s = evolveUser(s, e);
    return s;
  }

  // How many events are waiting for the master, all users together.
  get pendingCount(): number {
    return this.userOf.size;
  }

  private track(p: Pending): void {
    let forUser = this.pending.get(p.userId);
    if (!forUser) this.pending.set(p.userId, (forUser = new Map()));
    forUser.set(p.id, p);
    this.userOf.set(p.id, p.userId);
  }

  private untrack(id: string): void {
    const userId = this.userOf.get(id);
    if (userId === undefined) return;
    this.userOf.delete(id);
    const forUser = this.pending.get(userId);
    forUser?.delete(id);
    if (forUser?.size === 0) this.pending.delete(userId);
  }

  private async raise(kind: UpstreamKind, userId: string, payload: Record<string, unknown>, decide: (state: UserState, settings: Settings) => DomainEvent[]): Promise<void> {
    const state = await this.getUserState(userId);
    const settings = await this.queries.getSettings();
    const events = state ? decide(state, settings) : [];
    const id = await this.outbox.enqueue(kind, { userId, ...payload });
    this.track({ id, userId, events });
    if (!this.verdicts || !CONFIRMED_KINDS.has(kind)) return;
    // Reachable master: its log decides (another node may have used the code first). Unreachable:
    // this node's own record stands, and the verdicts tracker counts the accept as unconfirmed.
    const verdict = await this.verdicts.await(id);
    if (!verdict.confirmed && verdict.refused) {
      this.untrack(id);
      throw new DomainError(verdict.refused.code as DomainErrorCode, 'The master refused this one-time code: it was used on another node first.', verdict.refused.field ? { field: verdict.refused.field } : {});
    }
  }

  recordFailedAttempt(userId: string, reason: string, source: string): Promise<void> {
    return this.raise('failed_attempt', userId, { reason, source }, (s, settings) => evaluateFailure(s, settings, this.clock(), { reason, source }));
  }

  recordSuccess(userId: string, source: string): Promise<void> {
    return this.raise('success', userId, { source }, (s) => decideRecordSuccessfulAuthentication(s, RecordSuccessfulAuthentication.create({ userId, source }), { now: this.clock() }));
  }

  // Checked against this node's view (read model + pending) before it is sent: a replay is refused here.
  recordOathCodeUsed(userId: string, tokenId: string, counter: number, source: string): Promise<void> {
    return this.raise('code_used', userId, { tokenId, counter, source }, (s) => decideRecordOathCodeUsed(s, RecordOathCodeUsed.create({ userId, tokenId, counter })));
  }

  // nonce/expiresAt (optional fields): the challenge State answered with the code, consumed with it.
  recordOathSuccess(userId: string, tokenId: string, counter: number, source: string, challenge?: { nonce: string; expiresAt: string }): Promise<void> {
    return this.raise('oath_success', userId, { tokenId, counter, source, ...(challenge ?? {}) }, (s) => [
      ...(challenge ? decideRecordChallengeConsumed(s, RecordChallengeConsumed.create({ userId, ...challenge })) : []),
      ...decideRecordOathCodeUsed(s, RecordOathCodeUsed.create({ userId, tokenId, counter })),
      ...decideRecordSuccessfulAuthentication(s, RecordSuccessfulAuthentication.create({ userId, source }), { now: this.clock() }),
    ]);
  }

  recordChallengeSuccess(userId: string, nonce: string, expiresAt: string, source: string): Promise<void> {
    return this.raise('challenge_success', userId, { nonce, expiresAt, source }, (s) => [
      ...decideRecordChallengeConsumed(s, RecordChallengeConsumed.create({ userId, nonce, expiresAt })),
      ...decideRecordSuccessfulAuthentication(s, RecordSuccessfulAuthentication.create({ userId, source }), { now: this.clock() }),
    ]);
  }

  // Staged rollout (upstream-rollout.ts): a once-only bypass waits for the master's verdict like a code.
  recordSecondFactorWaived(userId: string, source: string, bypassId?: string): Promise<void> {
    return this.raise('second_factor_waived', userId, { source, ...(bypassId ? { bypassId } : {}) }, (s) => waivedEvents(s, { userId, source, bypassId }, this.clock()));
  }

  reportFraud(userId: string, reason: string, source: string): Promise<void> {
    return this.raise('fraud', userId, { reason, source }, (s, settings) => evaluateFraudReport(s, settings, this.clock(), reason));
  }

  // The master has the event (it came back in the log, or the master acknowledged it and the
  // read model has caught up past that point): the read model now speaks for it.
  settle(ids: Iterable<string>): void {
    for (const id of ids) this.untrack(id);
  }

  // After a restart: what is still in the outbox is still enforced, every item of it, page by page.
  // Each user's state is carried from item to item (the read model, then this node's own events
  // on top), so a long outbox costs one pass.
  async reload(pageSize = 1000): Promise<void> {
    const settings = await this.queries.getSettings();
    const states = new Map<string, UserState | null>();
    for (let after = 0; ;) {
      const page = await this.outbox.pending(after, pageSize);
      for (const item of page) {
        const p = item.payload as OutboxPayload;
        if (!states.has(p.userId)) states.set(p.userId, await this.queries.getUserState(p.userId));
        const state = states.get(p.userId);
        if (!state) continue;
        const events = replayedEvents(item.kind, p, state, settings, new Date(item.createdAt));
        let next = state;
        for (const e of events) next = evolveUser(next, e);
        states.set(p.userId, next);
        this.track({ id: item.id, userId: p.userId, events });
      }
      if (page.length < pageSize) return;
      after = page[page.length - 1].seq;
    }
  }

}

type OutboxPayload = { userId: string; reason?: string; source?: string; tokenId?: string; counter?: number; nonce?: string; expiresAt?: string; bypassId?: string };

// The events an outbox item stands for on this node, against the user's state so far.
function replayedEvents(kind: string, p: OutboxPayload, state: UserState, settings: Settings, at: Date): DomainEvent[] {
  try {
    if (kind === 'failed_attempt') return evaluateFailure(state, settings, at, { reason: p.reason, source: p.source });
    if (kind === 'fraud') return evaluateFraudReport(state, settings, at, p.reason);
    if (kind === 'second_factor_waived') return waivedEvents(state, { userId: p.userId, source: p.source ?? 'slave', bypassId: p.bypassId }, at);
    if (kind === 'challenge_success') return decideRecordChallengeConsumed(state, RecordChallengeConsumed.create({ userId: p.userId, nonce: p.nonce, expiresAt: p.expiresAt }));
    if (kind === 'code_used' || kind === 'oath_success') {
      const used = decideRecordOathCodeUsed(state, RecordOathCodeUsed.create({ userId: p.userId, tokenId: p.tokenId, counter: p.counter }));
      const consumed = kind === 'oath_success' && p.nonce ? decideRecordChallengeConsumed(state, RecordChallengeConsumed.create({ userId: p.userId, nonce: p.nonce, expiresAt: p.expiresAt })) : [];
      return [...used, ...consumed];
    }
  } catch {
    // already reflected in the read model
  }
  return [];
}

// On the master: an upstream message from a member slave (the replication handshake checked its
// certificate; the session re-checks membership per message) becomes the same events a local one
// would, after its own checks: only the security kinds, well-formed, OATH counters within the window.
// The metadata names the sending node as actor, whatever the payload claims.
export async function applyUpstream(rt: Pick<NodeRuntime, 'commands' | 'queries' | 'logger'>, nodeId: string, event: { id: string; kind: string; payload: Record<string, unknown> }): Promise<void | UpstreamRefusal> {
  const refuse = (detail: string) => rt.logger.warn({ nodeId, upstreamId: event.id, kind: String(event.kind).slice(0, 40), detail }, 'upstream security event refused, not appended');
  if (!isUpstreamKind(event.kind)) return refuse('not a security event kind');
  const p = upstreamPayload(event.kind, event.payload ?? {});
  if (typeof p === 'string') return refuse(p);
  const node = (await rt.queries.listClusterNodes()).find((n) => n.nodeId === nodeId);
  if (!node) return refuse('the sending node is not a member');
  if (event.kind === 'code_used' || event.kind === 'oath_success') {
    const state = await rt.queries.getUserState(p.userId);
    const tooHigh = state ? counterAllowed(state, await rt.queries.getSettings(), String(p.tokenId), Number(p.counter), Date.now()) : null;
    if (tooHigh) return refuse(tooHigh);
  }
  return recordUpstream(rt.commands.security, { ...event, payload: { ...p, source: p.source ?? `node ${node.nodeName}` } }, `node:${node.nodeName}`);
}

// The switch itself, through a given recorder (a SecurityEvents batch when a promoted node appends
// its own outbox, which needs none of the checks above: the items are this node's own).
export async function recordUpstream(recorder: SecurityEvents, event: { id: string; kind: string; payload: Record<string, unknown> }, actor?: string): Promise<void | UpstreamRefusal> {
  const p = event.payload as { userId: string; reason?: string; source?: string; tokenId?: string; counter?: number; nonce?: string; expiresAt?: string; bypassId?: string };
  const source = p.source ?? 'slave';
  const security = recorder.causedBy(event.id, actor);
  try {
    switch (event.kind as UpstreamKind) {
      case 'failed_attempt': return await security.recordFailedAttempt(p.userId, p.reason ?? 'authentication failed', source);
      case 'success': return await security.recordSuccess(p.userId, source);
      case 'code_used': return await security.recordOathCodeUsed(p.userId, String(p.tokenId), Number(p.counter), source);
      case 'oath_success': return await security.recordOathSuccess(p.userId, String(p.tokenId), Number(p.counter), source, p.nonce ? { nonce: String(p.nonce), expiresAt: String(p.expiresAt) } : undefined);
      case 'challenge_success': return await security.recordChallengeSuccess(p.userId, String(p.nonce), String(p.expiresAt), source);
      case 'fraud': return await security.reportFraud(p.userId, p.reason ?? 'fraud reported', source);
      case 'second_factor_waived': return await security.recordSecondFactorWaived(p.userId, source, p.bypassId ? String(p.bypassId) : undefined);
    }
  } catch (err) {
    // A domain refusal (user deleted since, code used on another node first) is final, not transient.
    if (isDomainError(err)) return { code: err.code, ...(err.field ? { field: err.field } : {}) };
    throw err;
  }
}
