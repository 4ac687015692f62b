import {
  decideRecordChallengeConsumed, decideRecordOathCodeUsed, decideRecordSuccessfulAuthentication, RecordChallengeConsumed, evaluateFailure, evaluateFraudReport, evolveUser, RecordOathCodeUsed,
  RecordSuccessfulAuthentication, Settings, UserState, DomainEvent,
} from '@twofold/domain';
import type { SecurityEventSink, CommandService, SecurityEvents } from '@twofold/commands';
import type { ReadModelQueries } from '@twofold/read-model';
import type { OutboxItem, UpstreamOutbox } from '@twofold/replication';

export type UpstreamKind = 'failed_attempt' | 'success' | 'code_used' | 'oath_success' | 'challenge_success' | 'fraud';

interface Pending { id: string; userId: string; events: DomainEvent[] }

// Security events raised on a slave: kept in the durable outbox until the master appends them,
// and enforced here in the meantime (a lockout reached on this node holds on this node at once).
export class UpstreamSecurityEvents implements SecurityEventSink {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly outbox: UpstreamOutbox, private readonly queries: ReadModelQueries, private readonly clock: () => Date) {}

  // The read model's state with this node's not-yet-replicated security events folded on top.
  async getUserState(userId: string): Promise<UserState | null> {
    const state = await this.queries.getUserState(userId);
    if (!state) return null;
    let s = state;
    for (const p of this.pending.values()) if (p.userId === userId) for (const e of p.events) s = evolveUser(s, e);
    return s;
  }

  private async raise(kind: UpstreamKind, userId: string, payload: Record<string, unknown>, decide: (state: UserState, settings: Settings) => DomainEvent[]): Promise<void> {
    const state = await this.getUserState(userId);
    const settings = await this.queries.getSettings();
    const events = state ? decide(state, settings) : [];
    const id = await this.outbox.enqueue(kind, { userId, ...payload });
    this.pending.set(id, { id, userId, events });
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

  recordOathSuccess(userId: string, tokenId: string, counter: number, source: string): Promise<void> {
    return this.raise('oath_success', userId, { tokenId, counter, source }, (s) => [
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

  reportFraud(userId: string, reason: string, source: string): Promise<void> {
    return this.raise('fraud', userId, { reason, source }, (s, settings) => evaluateFraudReport(s, settings, this.clock(), reason));
  }

  // The master has the event (it came back in the log, or the master acknowledged it and the
  // read model has caught up past that point): the read model now speaks for it.
  settle(ids: Iterable<string>): void {
    for (const id of ids) this.pending.delete(id);
  }

  // After a restart: what is still in the outbox is still enforced (every page of it).
  async reload(): Promise<void> {
    for (let after = 0, page = await this.outbox.pending(0, 1000); page.length > 0; after = page[page.length - 1].seq, page = await this.outbox.pending(after, 1000)) {
      for (const item of page) await this.reloadItem(item);
    }
  }

  private async reloadItem(item: OutboxItem): Promise<void> {
    const p = item.payload as { userId: string; reason?: string; source?: string; tokenId?: string; counter?: number; nonce?: string; expiresAt?: string };
    const state = await this.queries.getUserState(p.userId);
    if (!state) return;
    const settings = await this.queries.getSettings();
    const at = new Date(item.createdAt);
    let events: DomainEvent[] = [];
    try {
      if (item.kind === 'failed_attempt') events = evaluateFailure(state, settings, at, { reason: p.reason, source: p.source });
      if (item.kind === 'code_used' || item.kind === 'oath_success') events = decideRecordOathCodeUsed(state, RecordOathCodeUsed.create({ userId: p.userId, tokenId: p.tokenId, counter: p.counter }));
      if (item.kind === 'fraud') events = evaluateFraudReport(state, settings, at, p.reason);
      if (item.kind === 'challenge_success') events = decideRecordChallengeConsumed(state, RecordChallengeConsumed.create({ userId: p.userId, nonce: p.nonce, expiresAt: p.expiresAt }));
    } catch {
      events = []; // already reflected in the read model
    }
    this.pending.set(item.id, { id: item.id, userId: p.userId, events });
  }
}

// On the master: an upstream message from a slave becomes the same events a local one would.
export function applyUpstream(commands: CommandService, event: { id: string; kind: string; payload: Record<string, unknown> }): Promise<void> {
  return recordUpstream(commands.security, event);
}

// The same through a given recorder (a SecurityEvents batch when a promoted node applies its outbox).
export async function recordUpstream(recorder: SecurityEvents, event: { id: string; kind: string; payload: Record<string, unknown> }): Promise<void> {
  const p = event.payload as { userId: string; reason?: string; source?: string; tokenId?: string; counter?: number; nonce?: string; expiresAt?: string };
  const security = recorder.causedBy(event.id);
  try {
    switch (event.kind as UpstreamKind) {
      case 'failed_attempt': return await security.recordFailedAttempt(p.userId, p.reason ?? 'authentication failed', p.source ?? 'slave');
      case 'success': return await security.recordSuccess(p.userId, p.source ?? 'slave');
      case 'code_used': return await security.recordOathCodeUsed(p.userId, String(p.tokenId), Number(p.counter), p.source ?? 'slave');
      case 'oath_success': return await security.recordOathSuccess(p.userId, String(p.tokenId), Number(p.counter), p.source ?? 'slave');
      case 'challenge_success': return await security.recordChallengeSuccess(p.userId, String(p.nonce), String(p.expiresAt), p.source ?? 'slave');
      case 'fraud': return await security.reportFraud(p.userId, p.reason ?? 'fraud reported', p.source ?? 'slave');
    }
  } catch (err) {
    // A domain refusal (user deleted since, code used on another node first) is final, not transient.
    if (typeof (err as { code?: unknown }).code === 'string' && (err as { name?: string }).name === 'DomainError') return;
    throw err;
  }
}

