import type { DataSource, EntityManager } from 'typeorm';
import type { EventStore, LogHead, ReplicaEventStore, ReplicatedCompanion, StoredEvent, Subscription } from '@twofold/event-store';
import { SecretSealer, upcast } from '@twofold/domain';
import { createShadowTables, dropShadowTables, ensureReadModelSchema, shadowSql, swapInShadowStatements } from './storage/schema';
import { atomically, dialectOf, inTransaction, Sql, sqlOver } from './storage/sql';
import { UserProjection } from './projections/users.projection';
import { userStateRowsOf } from './queries/user-state-rows';
import { projectSettings } from './projections/settings.projection';
import { projectRadiusClient } from './projections/radius-clients.projection';
import { projectSdkCredential } from './projections/sdk-credentials.projection';
import { projectAdministrator } from './projections/administrators.projection';
import { projectCluster } from './projections/cluster.projection';
import { projectRollout } from './projections/rollout.projection';
import { projectDevices } from './projections/devices.projection';
import type { Projection } from './projections/projection';

const CHECKPOINT = 'main';

// The projections after devices and users, by the event types each looks at, in this order: the
// first that applies an event ends its turn. An event of no projection's type costs a lookup.
const projectionsByType = new Map<string, Projection[]>();
for (const project of [projectRollout, projectSettings, projectRadiusClient, projectSdkCredential, projectAdministrator, projectCluster]) {
  for (const type of project.types) projectionsByType.set(type, [...(projectionsByType.get(type) ?? []), project]);
}
const NONE: Projection[] = [];

export class ReadModelError extends Error {
  constructor(readonly code: 'checkpoint_gap' | 'projection_failed', message: string) {
    super(message);
  }
}

// Keeps the query tables in step with the log. Rows and the checkpoint commit in one
// transaction, so a crash never applies an event twice or skips one.
export class ReadModelProjector {
  private position = 0;
  private waiters: Array<{ position: number; resolve: () => void }> = [];
  private subscription?: Subscription;
  private withinPosition: number | null = null; // applied inside a replicated append not yet committed

  // beforeCommit: a test hook, called inside the transaction after the rows and the checkpoint are written.
  // afterCommit: called once rows up to `position` are visible to queries (benchmarks measure lag with it).
  // sealer: the cluster key, to open users' sealed e-mail and phones into the query rows.
  constructor(
    private readonly dataSource: DataSource,
    private readonly hooks: { beforeCommit?: (position: number) => void; afterCommit?: (position: number) => void; sealer?: SecretSealer } = {},
  ) {}

  private get sql(): Sql {
    return sqlOver(this.dataSource, dialectOf(this.dataSource));
  }

  async init(): Promise<number> {
    await ensureReadModelSchema(this.sql);
    // The row exists from the start: a transaction that applies events locks it first (PostgreSQL).
    await this.sql.query(`INSERT INTO rm_checkpoint (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING`, [CHECKPOINT]);
    this.position = await this.readCheckpoint(this.sql);
    return this.position;
  }

  get checkpoint(): number {
    return this.position;
  }

  // forUpdate (inside a transaction that applies events): on PostgreSQL two such transactions, the
  // follow loop's and a replicated append's, queue on the row and the second sees what the first
  // committed, so neither applies an event the other did. (SQLite has one writer at a time.)
  private async readCheckpoint(sql: Sql, forUpdate = false): Promise<number> {
    const lock = forUpdate && sql.dialect === 'postgres' ? ' FOR UPDATE' : '';
    const rows = await sql.query<{ position: number | string }>(`SELECT position FROM rm_checkpoint WHERE name = ?${lock}`, [CHECKPOINT]);
    return rows.length ? Number(rows[0].position) : 0;
  }

  // Applies a contiguous batch in one transaction; events at or below the checkpoint are skipped.
  async apply(events: StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      // The position moves once the commit succeeded (a failed COMMIT rolls the rows back).
      this.position = await inTransaction(this.dataSource, async (sql) => {
        const position = await this.applyIn(sql, events);
        this.hooks.beforeCommit?.(position);
        return position;
      });
    } catch (err) {
      userStateRowsOf(this.dataSource).distrust(); // it kept states of rows it did not write
      throw err;
    }
    this.releaseWaiters();
    this.hooks.afterCommit?.(this.position);
  }

  // The projections over `sql` (the live tables or a rebuild's shadow): rows and checkpoint.
  private async applyIn(sql: Sql, events: StoredEvent[], checkpoint?: number, shadow = false): Promise<number> {
    let position = checkpoint ?? (await this.readCheckpoint(sql, true));
    const users = new UserProjection(sql, this.hooks.sealer, shadow ? undefined : userStateRowsOf(this.dataSource));
    for (const stored of events) {
      if (stored.position <= position) continue;
      if (stored.position !== position + 1) {
        throw new ReadModelError('checkpoint_gap', `read model at ${position} cannot apply event ${stored.position}`);
      }
      const current = upcast({ type: stored.type, schemaVersion: stored.schemaVersion, payload: stored.payload });
      const event: StoredEvent = current.schemaVersion === stored.schemaVersion ? stored : { ...stored, schemaVersion: current.schemaVersion, payload: current.payload as Record<string, unknown> };
      // Devices first: some of its events (a push request, a user's deletion) also fold elsewhere.
      if (!(projectDevices.types.has(event.type) && (await projectDevices(sql, event))) && !(users.wants(event) && (await users.apply(event)))) {
        for (const project of projectionsByType.get(event.type) ?? NONE) {
          if (await project(sql, event)) break;
        }
      }
      position = stored.position;
    }
    await users.flush();
    await sql.query(
      sql.dialect === 'postgres'
        ? `INSERT INTO rm_checkpoint (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position`
        : `INSERT INTO rm_checkpoint (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
      [CHECKPOINT, position],
    );
    return position;
  }

  // Reads the log from the checkpoint until it has nothing more, in batches.
  async catchUp(store: EventStore, batchSize = 1000, onProgress?: (position: number) => void): Promise<number> {
    return this.readAndApply(store, batchSize, onProgress, false);
  }

  // untilShort: stop after a batch shorter than batchSize instead of reading once more to find
  // nothing (follow: a later append, here or by another process, wakes it again).
  private async readAndApply(store: EventStore, batchSize: number, onProgress: ((position: number) => void) | undefined, untilShort: boolean): Promise<number> {
    for (;;) {
      const events = await store.readFrom(this.position, batchSize);
      if (events.length === 0) return this.position;
      await this.apply(events);
      onProgress?.(this.position);
      if (untilShort && events.length < batchSize) return this.position;
    }
  }

  // Inside a replicated append's transaction (a slave): the same rows and checkpoint, committed
  // with the log records. Only when the read model is exactly at the records' start; behind (or
  // ahead), the follow loop brings it there from the log as usual.
  private readonly companion: ReplicatedCompanion = {
    within: async (records: StoredEvent[], tx: EntityManager | null) => {
      this.withinPosition = null;
      const sql = tx ? sqlOver(tx, 'postgres') : this.sql;
      const checkpoint = await this.readCheckpoint(sql, true);
      if (checkpoint !== records[0].position - 1) return;
      try {
        const position = await this.applyIn(sql, records, checkpoint);
        this.hooks.beforeCommit?.(position);
        this.withinPosition = position;
      } catch (err) {
        this.followErrors(err); // the records are appended without it; the follow loop retries
        throw err;
      }
    },
    committed: (_head: LogHead) => {
      const position = this.withinPosition;
      this.withinPosition = null;
      if (position === null || position <= this.position) return;
      this.position = position;
      this.releaseWaiters();
      this.hooks.afterCommit?.(position);
    },
    rolledBack: () => {
      this.withinPosition = null;
      userStateRowsOf(this.dataSource).distrust();
    },
  };

  private followErrors: (err: unknown) => void = () => undefined;

  // Catch up, then follow the log live. The subscription only wakes a single catch-up loop, which
  // reads from the checkpoint: a failed batch is retried from where the read model really is.
  // On a store that takes replicated records (a slave), they are projected in the same
  // transaction (see companion); a wake-up for records already applied reads nothing.
  follow(store: EventStore, onError: (err: unknown) => void = () => undefined, retryMs = 1000): Subscription {
    let running = false;
    let stopped = false;
    // The highest position a wake-up named: a loop that already applied it reads no more (a wake
    // for a record of the batch being applied used to cost a read that found nothing).
    let wanted = 0;
    const run = async (): Promise<void> => {
      if (running) return;
      running = true;
      try {
        for (;;) {
          const before = this.position;
          await this.readAndApply(store, 1000, undefined, true);
          // No progress: what was named is not there (set aside, or projected elsewhere); the next append wakes it.
          if (stopped || wanted <= this.position || this.position === before) break;
        }
      } catch (err) {
        onError(err);
        if (!stopped) setTimeout(() => void run(), retryMs).unref?.();
      } finally {
        running = false;
      }
    };
    const replica = isReplicaStore(store) ? store : null;
    this.followErrors = onError;
    replica?.projectReplicatedWith(this.companion);
    const subscription = store.subscribe(this.position, (event) => {
      if (event.position > wanted) wanted = event.position;
      if (event.position > this.position) void run();
    }, { skipTo: () => this.position });
    this.subscription = {
      close: () => {
        stopped = true;
        replica?.projectReplicatedWith(null);
        subscription.close();
      },
    };
    void run();
    return this.subscription;
  }

  // From position 0 into shadow tables while queries go on reading the live ones; then the shadow's
  // rows replace the live rows in one transaction. Sign-ins never meet an empty read model. The
  // caller stops following first (nothing else writes the live tables meanwhile).
  async rebuild(store: EventStore, onProgress?: (position: number) => void, batchSize = 2000): Promise<number> {
    await inTransaction(this.dataSource, (sql) => createShadowTables(sql));
    let position = 0;
    for (;;) {
      const events = await store.readFrom(position, batchSize);
      if (events.length === 0) break;
      position = await inTransaction(this.dataSource, (sql) => this.applyIn(shadowSql(sql), events, undefined, true));
      onProgress?.(position);
      await new Promise((resolve) => setImmediate(resolve)); // queries on the live tables get their turn
    }
    await atomically(this.dataSource, swapInShadowStatements());
    userStateRowsOf(this.dataSource).clear(); // the rows are the shadow's now
    await inTransaction(this.dataSource, (sql) => dropShadowTables(sql));
    this.position = position;
    this.releaseWaiters();
    this.hooks.afterCommit?.(position);
    return position;
  }

  // Resolves once the read model has applied `position` (read-your-writes after a command).
  waitFor(position: number, timeoutMs = 10_000): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new ReadModelError('projection_failed', `read model did not reach position ${position} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => { clearTimeout(timer); resolve(); };
      this.waiters.push({ position, resolve: done });
    });
  }

  private releaseWaiters(): void {
    const ready = this.waiters.filter((w) => w.position <= this.position);
    this.waiters = this.waiters.filter((w) => w.position > this.position);
    ready.forEach((w) => w.resolve());
  }

  stop(): void {
    this.subscription?.close();
    this.subscription = undefined;
  }
}

function isReplicaStore(store: EventStore): store is ReplicaEventStore {
  return typeof (store as Partial<ReplicaEventStore>).projectReplicatedWith === 'function';
}
