import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventLogRow } from './event-log.entity';
import {
  ANY_VERSION,
  GENESIS_HASH,
  type LogHead,
  type NewEvent,
  type AppendOptions,
  type StoredEvent,
  type StreamAppend,
  type StreamSnapshot,
  type Subscription,
  type VerifyResult,
} from './event-store';
import { EventStoreError } from './event-store-error';
import { DuplicateRowError, type LogBackend } from './log-backend';
import { APPENDED, LogSubscription, SET_ASIDE, type SubscribeOptions } from './log-subscription';
import { PostgresLogBackend } from './postgres-log-backend';
import { computeRecordHash, hashFromCanonicalParts } from './record-hash';
import { verifiedRows, verifiedTextRows } from './replicated-rows';
import { SqliteLogBackend } from './sqlite-log-backend';
import { GroupCommitter } from './group-commit';
import { RecentRecords } from './recent-records';
import { storageKind } from './storage';
import { chainMismatch, checkName, encodeNewEvents, invalid, toStoredEvent } from './record-shape';
import type { ReplicaEventStore, ReplicatedCompanion, SetAsideBatch, SetAsideResult } from './replica-event-store';

export type { ReplicaEventStore, ReplicatedCompanion, SetAsideBatch, SetAsideResult } from './replica-event-store';

export interface TypeOrmEventStoreOptions {
  clock?: () => Date;
  subscribe?: SubscribeOptions; // defaults for every subscription
  ownsDataSource?: boolean; // close() destroys the DataSource (default true)
  onGroupCommitted?: (appends: number) => void; // after each group commit: how many appends it held
}

const VERIFY_PAGE = 1000;
const MAX_REASON = 2000;

const notifiers = new WeakMap<DataSource, EventEmitter>();

// Every store on the same DataSource shares one notifier, so an append through any of them
// wakes all subscribers in this process at once.
function notifierFor(dataSource: DataSource): EventEmitter {
  let n = notifiers.get(dataSource);
  if (!n) {
    n = new EventEmitter();
    n.setMaxListeners(0);
    notifiers.set(dataSource, n);
  }
  return n;
}

export class TypeOrmEventStore implements ReplicaEventStore {
  private readonly options: TypeOrmEventStoreOptions;
  private readonly backend: LogBackend;
  private readonly clock: () => Date;
  private readonly notifier: EventEmitter;
  private readonly subscriptions = new Set<LogSubscription>();
  private readonly committer: GroupCommitter;
  // What this store committed last, decoded once: every subscriber reads the same new records.
  private readonly recent = new RecentRecords();
  private companion: ReplicatedCompanion | null = null;
  private closed = false;

  constructor(
    readonly dataSource: DataSource,
    clockOrOptions: (() => Date) | TypeOrmEventStoreOptions = {},
  ) {
    this.options = typeof clockOrOptions === 'function' ? { clock: clockOrOptions } : clockOrOptions;
    this.clock = this.options.clock ?? (() => new Date());
    this.backend = storageKind(dataSource) === 'postgres' ? new PostgresLogBackend(dataSource) : new SqliteLogBackend(dataSource);
    this.notifier = notifierFor(dataSource);
    this.committer = new GroupCommitter(this.backend, this.clock, (rows, units, decoded) => {
      this.recent.add(rows, decoded);
      this.options.onGroupCommitted?.(units);
      this.notifier.emit(APPENDED, rows[rows.length - 1].position);
    });
  }

  // Goes through group commit: one transaction (and one fsync) for every append that arrives
  // while the previous commit runs; resolves once this append's transaction has committed.
  async append(streamId: string, expectedVersion: number, events: NewEvent[], options: AppendOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    checkName('streamId', streamId);
    if (!Number.isInteger(expectedVersion) || expectedVersion < ANY_VERSION) {
      throw invalid(`expectedVersion must be an integer >= ${ANY_VERSION}`);
    }
    if (!Array.isArray(events) || events.length === 0) throw invalid('an append needs at least one event');
    const encoded = encodeNewEvents(events);
    return this.recent.decode(await this.committer.submit([{ streamId, expectedVersion, encoded, snapshot: options.snapshot }]));
  }

  async appendMany(appends: StreamAppend[]): Promise<StoredEvent[]> {
    this.assertOpen();
    if (!Array.isArray(appends) || appends.length === 0) throw invalid('appendMany needs at least one stream');
    const seen = new Set<string>();
    const encoded = appends.map((a) => {
      checkName('streamId', a?.streamId);
      if (seen.has(a.streamId)) throw invalid(`stream ${a.streamId} appears twice in one appendMany`);
      seen.add(a.streamId);
      if (!Number.isInteger(a.expectedVersion) || a.expectedVersion < ANY_VERSION) throw invalid(`expectedVersion must be an integer >= ${ANY_VERSION}`);
      if (!Array.isArray(a.events) || a.events.length === 0) throw invalid(`stream ${a.streamId}: an append needs at least one event`);
      return { streamId: a.streamId, expectedVersion: a.expectedVersion, encoded: encodeNewEvents(a.events), snapshot: a.snapshot };
    });
    return this.recent.decode(await this.committer.submit(encoded));
  }

  // Slaves: records from the master, stored verbatim (positions, timestamps, hashes) only if they
  // continue this log's chain exactly; otherwise chain_mismatch and nothing is written.
  // Text or decoded is told by the first record's payload; every record must be in that form.
  async appendReplicated(records: StoredEvent[] | EventLogRow[]): Promise<LogHead> {
    this.assertOpen();
    if (!Array.isArray(records)) throw invalid('records must be an array');
    if (records.length === 0) return this.head();
    if (isTextRows(records)) return this.appendVerified(verifiedTextRows(records), records);
    return this.appendVerified(records, verifiedRows(records));
  }

  // records and rows: the same verified records, decoded and as stored.
  private async appendVerified(records: StoredEvent[], rows: EventLogRow[]): Promise<LogHead> {
    const plan = (head: LogHead): EventLogRow[] => {
      const first = records[0];
      if (first.position !== head.position + 1) {
        throw chainMismatch(`first record has position ${first.position}, log head is ${head.position}`, first.position, head);
      }
      if (first.prevHash !== head.hash) {
        throw chainMismatch(`record at ${first.position}: prev_hash does not match the log head`, first.position, head);
      }
      return rows;
    };
    const written = await this.writeReplicated(records, plan);
    const last = written[written.length - 1];
    const head = { position: last.position, hash: last.hash };
    this.recent.addDecoded(records);
    this.notifier.emit(APPENDED, last.position);
    return head;
  }

  projectReplicatedWith(companion: ReplicatedCompanion | null): void {
    this.companion = companion;
  }

  // With a companion, one transaction for both; if the companion fails (a read-model bug), the
  // log still replicates: the records are appended alone and the companion is told why.
  private async writeReplicated(records: StoredEvent[], plan: (head: LogHead) => EventLogRow[]): Promise<EventLogRow[]> {
    const companion = this.companion;
    if (!companion) return this.write(null, plan, 'chain_mismatch');
    let failed: { err: unknown } | null = null;
    try {
      const written = await this.writeWith(plan, async (tx) => {
        try {
          await companion.within(records, tx);
        } catch (err) {
          failed = { err };
          throw err;
        }
      });
      const last = written[written.length - 1];
      companion.committed({ position: last.position, hash: last.hash });
      return written;
    } catch (err) {
      if (!failed) {
        companion.rolledBack(err);
        throw err;
      }
      companion.rolledBack((failed as { err: unknown }).err);
      return this.write(null, plan, 'chain_mismatch');
    }
  }

  // One transaction under the append lock (no append or appendReplicated interleaves, in this
  // process or another). Read models: subscriptions of this DataSource that had delivered a
  // removed record are closed with onError code 'diverged' (see LogSubscription); their owners
  // must rebuild from scratch, since the positions will be reused by the new master's history.
  // Projections in other processes are not told: stop them first.
  async setAsideAfter(position: number, reason: string): Promise<SetAsideResult> {
    this.assertOpen();
    if (!Number.isInteger(position) || position < 0) {
      throw new EventStoreError('invalid_position', 'position must be an integer >= 0', { position });
    }
    if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > MAX_REASON) {
      throw invalid(`reason must be a non-empty string of at most ${MAX_REASON} characters`);
    }
    const mark = { divergenceId: randomUUID(), setAsideAt: this.clock().toISOString(), reason };
    const { count, head } = await this.backend.setAsideAfter(position, mark, (current) => {
      if (position > current.position) {
        throw new EventStoreError('invalid_position', `position ${position} is above the log head ${current.position}`, {
          position,
          head: current,
        });
      }
    });
    this.recent.truncateAfter(position);
    if (count > 0) this.notifier.emit(SET_ASIDE, position);
    return { setAside: count, head, divergenceId: count > 0 ? mark.divergenceId : null };
  }

  async listSetAside(): Promise<SetAsideBatch[]> {
    this.assertOpen();
    return this.backend.listSetAside();
  }

  async readSetAside(divergenceId: string): Promise<StoredEvent[]> {
    this.assertOpen();
    if (typeof divergenceId !== 'string') return [];
    return (await this.backend.readSetAside(divergenceId)).map(toStoredEvent);
  }

  async readFrom(afterPosition: number, limit: number): Promise<StoredEvent[]> {
    this.assertOpen();
    if (!Number.isInteger(afterPosition) || afterPosition < 0) throw invalid('afterPosition must be an integer >= 0');
    if (!Number.isInteger(limit)) throw invalid('limit must be an integer');
    if (limit <= 0) return [];
    return this.recent.from(afterPosition, limit) ?? (await this.backend.readFrom(afterPosition, limit)).map(toStoredEvent);
  }

  // Always from the database (the recent records are decoded): rows as committed.
  async readRowsFrom(afterPosition: number, limit: number): Promise<EventLogRow[]> {
    this.assertOpen();
    if (!Number.isInteger(afterPosition) || afterPosition < 0) throw invalid('afterPosition must be an integer >= 0');
    if (!Number.isInteger(limit)) throw invalid('limit must be an integer');
    return limit <= 0 ? [] : this.backend.readFrom(afterPosition, limit);
  }

  async readTypes(afterPosition: number, upTo: number, types: string[]): Promise<StoredEvent[]> {
    this.assertOpen();
    if (!Number.isInteger(afterPosition) || afterPosition < 0 || !Number.isInteger(upTo)) throw invalid('afterPosition and upTo must be integers >= 0');
    if (!Array.isArray(types) || types.some((t) => typeof t !== 'string')) throw invalid('types must be strings');
    if (upTo <= afterPosition) return [];
    return (await this.backend.readTypes(afterPosition, upTo, types)).map(toStoredEvent);
  }

  async readStream(streamId: string, afterVersion = 0): Promise<StoredEvent[]> {
    this.assertOpen();
    if (!Number.isInteger(afterVersion) || afterVersion < 0) throw invalid('afterVersion must be an integer >= 0');
    return (await this.backend.readStream(streamId, afterVersion)).map(toStoredEvent);
  }

  async streamVersion(streamId: string): Promise<number> {
    this.assertOpen();
    return this.backend.streamVersion(streamId);
  }

  async readSnapshot(streamId: string, fold: string): Promise<StreamSnapshot | null> {
    this.assertOpen();
    return this.backend.readSnapshot(streamId, fold);
  }

  async writeSnapshot(streamId: string, snapshot: StreamSnapshot): Promise<void> {
    this.assertOpen();
    checkName('streamId', streamId);
    await this.backend.writeSnapshot({ streamId, ...snapshot });
  }

  async head(): Promise<LogHead> {
    this.assertOpen();
    return this.backend.head();
  }

  knownStreamHead(streamId: string): { version: number; hash: string } | null {
    if (this.closed) return null;
    return this.backend.knownStreamHead?.(streamId) ?? null;
  }

  // Walks the whole log in pages; reports the first record that breaks the chain.
  async verify(onProgress?: (checked: number) => void): Promise<VerifyResult> {
    this.assertOpen();
    let checked = 0;
    let prevHash = GENESIS_HASH;
    let expected = 1;
    for (;;) {
      const page = await this.backend.readFrom(expected - 1, VERIFY_PAGE);
      for (const row of page) {
        const broken = (reason: string): VerifyResult => ({ ok: false, checked, firstBroken: { position: row.position, reason } });
        if (row.position !== expected) return broken(`position gap: expected ${expected}`);
        if (row.prevHash !== prevHash) return broken('prev_hash does not link');
        if (hashFromCanonicalParts(row, row.payload, row.metadata) !== row.hash) {
          // The text may be equivalent but not canonical (edited by hand, another encoder):
          // what counts is the data readers get.
          let event: StoredEvent;
          try {
            event = toStoredEvent(row);
          } catch {
            return broken('unreadable payload or metadata');
          }
          if (computeRecordHash(event) !== row.hash) return broken('hash mismatch');
        }
        prevHash = row.hash;
        expected += 1;
        checked += 1;
      }
      onProgress?.(checked);
      if (page.length < VERIFY_PAGE) return { ok: true, checked, head: { position: expected - 1, hash: prevHash } };
    }
  }

  // Catches up from afterPosition, then follows live appends. See SubscribeOptions for the
  // poll fallback and the retry-on-error rule.
  subscribe(
    afterPosition: number,
    handler: (event: StoredEvent) => Promise<void> | void,
    options: SubscribeOptions = {},
  ): Subscription & { readonly position: number; readonly done: Promise<void> } {
    this.assertOpen();
    if (!Number.isInteger(afterPosition) || afterPosition < 0) throw invalid('afterPosition must be an integer >= 0');
    const sub = new LogSubscription(
      (after, limit) => this.readFrom(after, limit),
      this.notifier,
      afterPosition,
      handler,
      { ...this.options.subscribe, ...options },
      (s) => this.subscriptions.delete(s),
    );
    this.subscriptions.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.committer.idle(); // appends already accepted are committed (or fail) first
    const subs = [...this.subscriptions];
    for (const s of subs) s.close();
    if (this.options.ownsDataSource !== false && this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private write(
    streamId: string | null,
    plan: (head: LogHead, streamVersion: number) => EventLogRow[],
    duplicateCode: 'version_conflict' | 'chain_mismatch',
  ): Promise<EventLogRow[]> {
    return this.duplicatesAs(duplicateCode, streamId, () => this.backend.write(streamId, plan));
  }

  private writeWith(plan: (head: LogHead) => EventLogRow[], within: (tx: EntityManager | null) => Promise<void>): Promise<EventLogRow[]> {
    return this.duplicatesAs('chain_mismatch', null, () => this.backend.writeWith(plan, within));
  }

  private async duplicatesAs(
    duplicateCode: 'version_conflict' | 'chain_mismatch',
    streamId: string | null,
    write: () => Promise<EventLogRow[]>,
  ): Promise<EventLogRow[]> {
    try {
      return await write();
    } catch (err) {
      // Only reachable if something wrote without the append lock; still never corrupt data.
      if (err instanceof DuplicateRowError) {
        throw new EventStoreError(duplicateCode, 'event_log already holds a record at that position or stream version', {
          streamId,
        });
      }
      throw err;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError('closed', 'event store is closed');
  }
}

function isTextRows(records: StoredEvent[] | EventLogRow[]): records is EventLogRow[] {
  const first: unknown = records[0];
  return typeof first === 'object' && first !== null && typeof (first as { payload?: unknown }).payload === 'string';
}
