import type { DataSource } from 'typeorm';
import { LruMap, type UserState } from '@twofold/domain';
import { dialectOf, sqliteDataVersion } from '../storage/sql';

export const DEFAULT_USER_STATE_ROWS = 20_000;

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// epoch: the trust epoch it was kept in; createdAt: the row's, when known (see trusted).
interface Entry { version: number; updatedAt: string; state: UserState; createdAt?: string; epoch: number }

// The `state` column of rm_users, decoded, for the rows read or written last. Every sign-in reads
// its user's state and the projection folds onto it; the column is a JSON text of about 0.7 KiB,
// and copying it out of SQLite and parsing it was the larger part of both reads. An entry is used
// only for the row whose stream version and update time it was taken from (the cheap columns are
// still read each time), so a row written by anything else (another process on the same
// database, a rebuild, a rolled-back write) is never answered from here: it is a miss, read and
// kept again. States are frozen before a query gets one: every caller shares one object and only
// reads it.
//
// Inside a write transaction on SQLite the projection may skip even the cheap columns (see
// trusted): data_version tells whether any other connection committed since the last check, and
// while none did, an entry kept since then is the row as it is. A check that sees another commit,
// or a transaction that rolled back after keeping entries, starts a new epoch: the entries of
// earlier epochs are only used after their row's version and update time are read again.
export class UserStateRows {
  private readonly entries: LruMap<string, Entry>;
  private cleared = 0;
  private epoch = 0;
  private seenDataVersion: number | undefined;

  // dataVersion: PRAGMA data_version of the DataSource's one SQLite connection (absent: PostgreSQL,
  // where other connections write unseen and nothing is trusted).
  constructor(max = DEFAULT_USER_STATE_ROWS, private readonly dataVersion?: () => number) {
    this.entries = new LruMap(max);
  }

  // Inside a write transaction (the write lock held, so nobody else commits until it ends):
  // whether trusted() may answer for the rest of it.
  checkTrust(): boolean {
    if (!this.dataVersion) return false;
    const now = this.dataVersion();
    if (now !== this.seenDataVersion) {
      this.epoch++; // someone else committed: what was kept before may be stale
      this.seenDataVersion = now;
    }
    return true;
  }

  // After checkTrust in the same transaction: the row's state and creation time as kept, without
  // reading the row; null when not kept (or not since the last check), to be read. For the
  // projection only, which folds onto it (the state may not be frozen yet).
  trusted(userId: string): { state: UserState; createdAt: string } | null {
    const e = this.entries.get(userId);
    return e && e.epoch === this.epoch && e.createdAt !== undefined ? { state: e.state, createdAt: e.createdAt } : null;
  }

  // A transaction that kept entries rolled back: none of them may be trusted.
  distrust(): void {
    this.epoch++;
  }

  // Frozen when first handed out here: a slave catching up rewrites a row many times before
  // anything reads it, and the projection folds onto the kept state without changing it.
  get(userId: string, version: number, updatedAt: string): UserState | null {
    const e = this.entries.get(userId);
    return e && e.version === version && e.updatedAt === updatedAt ? deepFreeze(e.state) : null;
  }

  // The state written (or read) as the row at that version and update time. The caller hands
  // it to nobody else and never changes it.
  put(userId: string, version: number, updatedAt: string, state: UserState, createdAt?: string): UserState {
    this.entries.set(userId, { version, updatedAt, state, createdAt, epoch: this.epoch });
    return state;
  }

  // The row's state from its JSON text (a miss), kept for the next read.
  decode(userId: string, version: number, updatedAt: string, text: string, createdAt?: string): UserState {
    return deepFreeze(this.put(userId, version, updatedAt, JSON.parse(text) as UserState, createdAt));
  }

  delete(userId: string): void {
    this.entries.delete(userId);
  }

  // After a rebuild swapped the tables in: also what else is kept beside the rows (the
  // settings) compares this, since a new history can write a row at the same version.
  clear(): void {
    this.entries.clear();
    this.cleared++;
    this.epoch++;
  }

  get generation(): number {
    return this.cleared;
  }
}

const byDataSource = new WeakMap<DataSource, UserStateRows>();

// One per database: the projection that writes the rows and the queries that read them share it.
export function userStateRowsOf(dataSource: DataSource): UserStateRows {
  let rows = byDataSource.get(dataSource);
  if (!rows) {
    rows = new UserStateRows(DEFAULT_USER_STATE_ROWS, dialectOf(dataSource) === 'sqlite' ? () => sqliteDataVersion(dataSource) : undefined);
    byDataSource.set(dataSource, rows);
  }
  return rows;
}
