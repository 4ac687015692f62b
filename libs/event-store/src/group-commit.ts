import type { EventLogRow } from './event-log.entity';
import { ANY_VERSION, type LogHead, type SnapshotOf, type StoredEvent } from './event-store';
import { EventStoreError } from './event-store-error';
import { DuplicateRowError, type GroupPlan, type LogBackend } from './log-backend';
import { hashFromCanonicalParts } from './record-hash';
import { toStoredEvent, type EncodedEvent } from './record-shape';
import { latestSnapshots, type SnapshotRow } from './stream-snapshot';

type Encoded = EncodedEvent;

export interface UnitAppend { streamId: string; expectedVersion: number; encoded: Encoded[]; snapshot?: SnapshotOf }

// One caller's append (append: one stream; appendMany: several, all or nothing).
interface Unit {
  appends: UnitAppend[];
  resolve: (rows: EventLogRow[]) => void;
  reject: (err: unknown) => void;
  rows?: EventLogRow[];
  error?: unknown;
}

// Group commit: appends that arrive while a commit is running (or waiting for the write lock)
// go into the next transaction together, one durable write (fsync) for all of them. Each unit
// keeps its own expected-version check against the committed versions plus the units planned
// before it in the same group: a conflicting unit fails alone, the others commit. A unit's
// promise resolves only after the transaction holding it has committed.
export class GroupCommitter {
  private queue: Unit[] = [];
  private running = false;
  private draining: Promise<void> = Promise.resolve();
  // Groups committed, waiting for their sync, settled in commit order.
  private settled: Promise<void> = Promise.resolve();

  constructor(
    private readonly backend: LogBackend,
    private readonly clock: () => Date,
    // decoded: records already decoded while planning (for snapshots), by position.
    private readonly onCommitted: (rows: EventLogRow[], units: number, decoded: Map<number, StoredEvent>) => void,
  ) {}

  submit(appends: UnitAppend[]): Promise<EventLogRow[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ appends, resolve, reject });
      if (!this.running) {
        this.running = true;
        this.draining = this.drain();
      }
    });
  }

  // Resolves once nothing is queued, being committed or waiting for its sync.
  async idle(): Promise<void> {
    while (this.running) await this.draining;
    await this.settled;
  }

  private async drain(): Promise<void> {
    try {
      await this.drainQueue();
    } finally {
      this.running = false; // synchronously after the queue was seen empty: no submit is missed
    }
  }

  private async drainQueue(): Promise<void> {
    // Appends started in the same turn of the event loop join the first group.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      let group: Unit[] = [];
      let snapshots: SnapshotRow[] = [];
      let decoded = new Map<number, StoredEvent>();
      try {
        const { rows, durable } = await this.commitGroup(() => {
          // Taken under the write lock: everything that queued while we waited for it joins.
          group = this.queue.splice(0);
          if (group.length === 0) return null;
          const ids = new Set<string>();
          for (const u of group) for (const a of u.appends) ids.add(a.streamId);
          return {
            streamIds: [...ids],
            plan: (head, versions) => {
              snapshots = [];
              decoded = new Map();
              return this.plan(group, head, versions, snapshots, decoded);
            },
            snapshots: () => latestSnapshots(snapshots),
          };
        }, () => group.length === 1); // a lone append syncs on the event loop: nothing to overlap
        // The next group may commit while this one's sync runs; each answers once it is durable,
        // in commit order.
        const units = group;
        const seen = decoded;
        const synced = durable.then(() => null, (err: unknown) => ({ err }));
        this.settled = this.settled.then(async () => {
          const failed = await synced;
          try {
            if (failed) throw failed.err;
            if (rows.length > 0) this.onCommitted(rows, units.length, seen);
          } catch (err) {
            for (const u of units) u.reject(u.error ?? err);
            return;
          }
          for (const u of units) {
            if (u.error !== undefined) u.reject(u.error);
            else u.resolve(u.rows!);
          }
        });
      } catch (err) {
        // The transaction did not commit: nothing of this group was written.
        const failure = err instanceof DuplicateRowError
          ? new EventStoreError('version_conflict', 'event_log already holds a record at that position or stream version')
          : err;
        for (const u of group) u.reject(u.error ?? failure);
      }
    }
  }

  private commitGroup(take: () => GroupPlan | null, inline: () => boolean): Promise<{ rows: EventLogRow[]; durable: Promise<void> }> {
    if (this.backend.writeGroupPipelined) return this.backend.writeGroupPipelined(take, inline);
    return this.backend.writeGroup(take).then((rows) => ({ rows, durable: Promise.resolve() }));
  }

  private plan(group: Unit[], head: LogHead, committed: Map<string, number>, snapshots: SnapshotRow[], decoded: Map<number, StoredEvent>): EventLogRow[] {
    const versions = new Map(committed);
    const timestamp = this.clock().toISOString();
    let position = head.position;
    let prevHash = head.hash;
    const out: EventLogRow[] = [];
    for (const unit of group) {
      unit.rows = undefined;
      unit.error = undefined;
      const conflict = unit.appends.find((a) => a.expectedVersion !== ANY_VERSION && (versions.get(a.streamId) ?? 0) !== a.expectedVersion);
      if (conflict) {
        const actual = versions.get(conflict.streamId) ?? 0;
        unit.error = new EventStoreError('version_conflict', `stream ${conflict.streamId}: expected version ${conflict.expectedVersion}, actual ${actual}`, {
          streamId: conflict.streamId, expected: conflict.expectedVersion, actual,
        });
        continue;
      }
      const rows: EventLogRow[] = [];
      for (const a of unit.appends) {
        const current = versions.get(a.streamId) ?? 0;
        const first = rows.length;
        a.encoded.forEach((e, i) => {
          const fields = { position: ++position, streamId: a.streamId, streamVersion: current + i + 1, type: e.type, schemaVersion: e.schemaVersion, timestamp, prevHash };
          const hash = hashFromCanonicalParts(fields, e.payload, e.metadata);
          prevHash = hash;
          rows.push({ ...fields, payload: e.payload, metadata: e.metadata, hash });
        });
        versions.set(a.streamId, current + a.encoded.length);
        if (a.snapshot) {
          const snapshot = snapshotAfter(a.streamId, rows.slice(first), a.snapshot, decoded);
          if (snapshot) snapshots.push(snapshot);
        }
      }
      unit.rows = rows;
      out.push(...rows);
    }
    return out;
  }
}

// A snapshot is a shortcut, never a reason to lose an append: a fold that throws writes none.
function snapshotAfter(streamId: string, rows: EventLogRow[], of: SnapshotOf, decoded: Map<number, StoredEvent>): SnapshotRow | null {
  const last = rows[rows.length - 1];
  try {
    const records = rows.map(toStoredEvent);
    for (const r of records) decoded.set(r.position, r);
    const s = of(records);
    return s ? { streamId, fold: s.fold, foldVersion: s.foldVersion, state: s.state, streamVersion: last.streamVersion, hash: last.hash } : null;
  } catch {
    return null;
  }
}
