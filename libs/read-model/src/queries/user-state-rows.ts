import type { DataSource } from 'typeorm';
import { LruMap, type UserState } from '@twofold/domain';

export const DEFAULT_USER_STATE_ROWS = 20_000;

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

interface Entry { version: number; updatedAt: string; state: UserState }

// The `state` column of rm_users, decoded, for the rows read or written last. Every sign-in reads
// its user's state and the projection folds onto it; the column is a JSON text of about 0.7 KiB,
// and copying it out of SQLite and parsing it was the larger part of both reads. An entry is used
// only for the row whose stream version and update time it was taken from (the cheap columns are
// still read each time), so a row written by anything else (another process on the same
// database, a rebuild, a rolled-back write) is never answered from here: it is a miss, read and
// kept again. States are frozen: every caller shares one object and only reads it.
export class UserStateRows {
  private readonly entries: LruMap<string, Entry>;
  private cleared = 0;

  constructor(max = DEFAULT_USER_STATE_ROWS) {
    this.entries = new LruMap(max);
  }

  get(userId: string, version: number, updatedAt: string): UserState | null {
    const e = this.entries.get(userId);
    return e && e.version === version && e.updatedAt === updatedAt ? e.state : null;
  }

  // The state written (or read) as the row at that version and update time.
  put(userId: string, version: number, updatedAt: string, state: UserState): UserState {
    const frozen = deepFreeze(state);
    this.entries.set(userId, { version, updatedAt, state: frozen });
    return frozen;
  }

  // The row's state from its JSON text (a miss), kept for the next read.
  decode(userId: string, version: number, updatedAt: string, text: string): UserState {
    return this.put(userId, version, updatedAt, JSON.parse(text) as UserState);
  }

  delete(userId: string): void {
    this.entries.delete(userId);
  }

  // After a rebuild swapped the tables in: also what else is kept beside the rows (the
  // settings) compares this, since a new history can write a row at the same version.
  clear(): void {
    this.entries.clear();
    this.cleared++;
  }

  get generation(): number {
    return this.cleared;
  }
}

const byDataSource = new WeakMap<DataSource, UserStateRows>();

// One per database: the projection that writes the rows and the queries that read them share it.
export function userStateRowsOf(dataSource: DataSource): UserStateRows {
  let rows = byDataSource.get(dataSource);
  if (!rows) byDataSource.set(dataSource, (rows = new UserStateRows()));
  return rows;
}
