import {
  applySecurityEvents, decideSecurityOutcome, DEFAULT_SETTINGS, DomainError, DomainErrorCode, isOnceOnlyOutcome, isSecondFactorWaiver, SecurityOutcome, securityOutcomeReadsSettings,
  Settings, SecurityOutcomeEvent, UserState,
} from '@twofold/domain';
import type { SecurityOutcomeSink } from '@twofold/commands';
import type { EventStore, Subscription } from '@twofold/event-store';
import type { ReadModelProjector, ReadModelQueries } from '@twofold/read-model';
import type { UpstreamOutbox } from '@twofold/replication';
import type { UpstreamVerdicts } from './upstream-verdicts';

interface Pending { id: string; userId: string; events: SecurityOutcomeEvent[] }

// Security outcomes raised on a slave: kept in the durable outbox until the master appends them,
// and enforced here in the meantime (a lockout reached on this node holds on this node at once).
// Live and after a restart, an outcome is folded by the same decideSecurityOutcome, with the
// time it was decided at (stored with it).
export class UpstreamSecurityEvents implements SecurityOutcomeSink {
  // Not-yet-replicated events by user (each user's in the order raised): an authentication folds
  // only its own user's, however many other users have events waiting.
  private readonly pending = new Map<string, Map<string, Pending>>();
  private readonly userOf = new Map<string, string>();
  // The kinds the master last connected to reads (its welcome); null: a master of a release before
  // the staged rollout, which lists none; undefined: not connected since this node started.
  private masterKinds: readonly string[] | null | undefined;

  constructor(
    private readonly outbox: UpstreamOutbox,
    private readonly queries: Pick<ReadModelQueries, 'getUserState' | 'getSettings'>,
    private readonly clock: () => Date,
    private readonly verdicts?: UpstreamVerdicts,
  ) {}

  // The read model's state with this node's not-yet-replicated security events folded on top.
  async getUserState(userId: string): Promise<UserState | null> {
    const state = await this.queries.getUserState(userId);
    if (!state) return null;
    let s = state;
    for (const p of this.pending.get(userId)?.values() ?? []) s = applySecurityEvents(s, p.events);
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

  masterReads(kinds: readonly string[] | null): void {
    this.masterKinds = kinds;
  }

  // Decided against this node's view (read model + pending) before it is kept: a replay is refused
  // here. Resolves to the user's state with it (a lockout it caused included).
  async record(outcome: SecurityOutcome): Promise<UserState> {
    // A master of an older release refuses a kind it does not know with a log line and an ack, which
    // reads here like an append: a once-only bypass would stay usable. Not let in on it, then.
    if (isSecondFactorWaiver(outcome) && this.masterKinds !== undefined && !this.masterKinds?.includes(outcome.kind)) {
      throw DomainError.rule(DomainErrorCode.BypassNotActive, 'kind', 'The master runs a release that cannot record a sign-in without a second factor.');
    }
    const at = this.clock();
    const state = await this.getUserState(outcome.userId);
    if (!state) throw DomainError.rule(DomainErrorCode.UnknownUser, 'userId', 'No such user.');
    const settings = securityOutcomeReadsSettings(outcome) ? await this.queries.getSettings() : DEFAULT_SETTINGS;
    const events = decideSecurityOutcome(state, outcome, { now: at, settings });
    const id = await this.outbox.enqueue(outcome, at);
    this.track({ id, userId: outcome.userId, events });
    if (this.verdicts && isOnceOnlyOutcome(outcome)) {
      // Reachable master: its log decides (another node may have used the code first). Unreachable:
      // this node's own record stands, and the verdicts tracker counts the accept as unconfirmed.
      const verdict = await this.verdicts.await(id);
      if (!verdict.confirmed && verdict.refused) {
        this.untrack(id);
        throw new DomainError(verdict.refused.code as DomainErrorCode, 'The master refused this one-time code: it was used on another node first.', verdict.refused.field ? { field: verdict.refused.field } : {});
      }
    }
    return applySecurityEvents(state, events);
  }

  // The master has the event (it came back in the log, or the master acknowledged it and the
  // read model has caught up past that point): the read model now speaks for it.
  settle(ids: Iterable<string>): void {
    for (const id of ids) this.untrack(id);
  }

  // After a restart: what is still in the outbox is still enforced, every item of it, page by page,
  // decided as it was live (same function, same time). Each user's state is carried from item to
  // item (the read model, then this node's own events on top), so a long outbox costs one pass.
  async reload(pageSize = 1000): Promise<void> {
    const settings = await this.queries.getSettings();
    const states = new Map<string, UserState | null>();
    for (let after = 0; ;) {
      const page = await this.outbox.pending(after, pageSize);
      for (const item of page) {
        if (!item.decoded.ok) continue; // delivered as is; the master refuses it and says why
        const { userId } = item.decoded.outcome;
        if (!states.has(userId)) states.set(userId, await this.queries.getUserState(userId));
        const state = states.get(userId);
        if (!state) continue;
        const events = replayed(item.decoded.outcome, new Date(item.createdAt), state, settings);
        states.set(userId, applySecurityEvents(state, events));
        this.track({ id: item.id, userId, events });
      }
      if (page.length < pageSize) return;
      after = page[page.length - 1].seq;
    }
  }
}

// A refusal now means the read model already holds it (the master appended it, the ack was lost).
function replayed(outcome: SecurityOutcome, now: Date, state: UserState, settings: Settings): SecurityOutcomeEvent[] {
  try {
    return decideSecurityOutcome(state, outcome, { now, settings });
  } catch {
    return [];
  }
}

// An event in the log for one of this node's outcomes (the master appended it and it came back,
// or this node appended it after a promotion, causationId = the outbox id) settles that outcome
// once the read model holds the event: the store tells its subscribers at commit, before the
// read model has projected it, and a sign-in decided in between on the read model alone would
// see the state from before the outage (a spent counter far behind: failures, then a lockout).
export function settleWhenProjected(
  store: Pick<EventStore, 'subscribe'>,
  from: number,
  projector: Pick<ReadModelProjector, 'waitFor'>,
  upstream: Pick<UpstreamSecurityEvents, 'settle'>,
): Subscription {
  return store.subscribe(from, (e) => {
    const id = e.metadata.causationId;
    if (!id) return;
    const settle = () => upstream.settle([id]);
    void projector.waitFor(e.position, 60_000).then(settle, settle);
  });
}
