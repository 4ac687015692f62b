import {
  decideSecurityOutcome, DEFAULT_SETTINGS, DomainEvent, evolveUser, INITIAL_USER_STATE, SecurityOutcome, Settings, UserState,
} from '@twofold/domain';
import type { SecurityOutcomeRecorder, UserDirectory } from '../engine/engine.ports';

// The domain's own deciders over an in-memory stream per user: the same rules the command side
// (the master, a slave's outbox) applies. `recorded` lists the event types, in order.
export class MemoryUsers implements UserDirectory, SecurityOutcomeRecorder {
  states = new Map<string, UserState>();
  settings: Settings = structuredClone(DEFAULT_SETTINGS) as Settings;
  recorded: string[] = [];

  constructor(private readonly now: () => Date) {}

  apply(userId: string, events: DomainEvent[]): void {
    let s = this.states.get(userId) ?? INITIAL_USER_STATE;
    for (const e of events) {
      s = evolveUser(s, e);
      this.recorded.push(e.type);
    }
    this.states.set(userId, s);
  }

  async findUserByUsername(username: string) {
    const s = [...this.states.values()].find((u) => u.profile?.username === username);
    return s ? { userId: s.userId! } : null;
  }
  async getUserState(userId: string) { return this.states.get(userId) ?? null; }
  async getSettings() { return this.settings; }
  // The one recorder the engine reports to, deciding as the master and a slave's outbox do.
  async record(outcome: SecurityOutcome) {
    const state = this.states.get(outcome.userId)!;
    this.apply(outcome.userId, decideSecurityOutcome(state, outcome, { now: this.now(), settings: this.settings }));
    return this.states.get(outcome.userId)!;
  }
  async reportFraud(userId: string, reason: string) {
    return this.record({ kind: 'fraud', userId, reason, source: 'test' });
  }
}
