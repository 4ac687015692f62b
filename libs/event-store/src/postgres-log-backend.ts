import type { DataSource, EntityManager } from 'typeorm';
import type { EventLogRow } from './event-log.entity';
import type { LogHead, StreamSnapshot } from './event-store';
import { DuplicateRowError, headFrom, logSql, type GroupPlan, type LogBackend, type SetAsideMark, type SetAsideRow, type StreamPlan, type StreamsPlan } from './log-backend';
import { APPEND_LOCK_KEY, storageLock } from './storage';
import { EventStoreError } from './event-store-error';
import { snapshotFrom, snapshotParams, snapshotUpsertSql, type SnapshotRow } from './stream-snapshot';
import { errorCodeOf } from '@twofold/domain';

const placeholder = (n: number) => `$${n}`;
const SQL = logSql(placeholder);

// A pooled pg client inside one transaction: the append path talks to the driver directly, not
// through TypeORM's query runner (TypeORM still owns the pool, the schema and everything else).
interface Tx {
  query(text: string, params?: unknown[]): Promise<any[]>; // eslint-disable-line @typescript-eslint/no-explicit-any
  run(text: string, params?: unknown[]): Promise<number>; // rows affected
}

interface PgClient {
  query(config: { text: string; values?: unknown[]; name?: string }): Promise<{ rows: unknown[]; rowCount: number | null }>;
  release(err?: unknown): void;
}

interface PgPool { connect(): Promise<PgClient> }

const INSERT_CHUNK = 500; // rows per INSERT statement (10 parameters each)

// Appends take a transaction-scoped advisory lock: every writer, in any process, serializes
// there, reads the committed head and assigns head+1. Readers never take it.
export class PostgresLogBackend implements LogBackend {
  constructor(private readonly dataSource: DataSource) {}

  async head(): Promise<LogHead> {
    return readHead(this.dataSource);
  }

  async streamVersion(streamId: string): Promise<number> {
    return readStreamVersion(this.dataSource, streamId);
  }

  async readTypes(afterPosition: number, upTo: number, types: string[]): Promise<EventLogRow[]> {
    if (types.length === 0) return [];
    const rows = await this.dataSource.query(SQL.readTypes('= ANY($3)'), [afterPosition, upTo, types]);
    return rows.map(fixRow);
  }

  async readFrom(afterPosition: number, limit: number): Promise<EventLogRow[]> {
    return (await this.dataSource.query(SQL.readFrom, [afterPosition, limit])).map(fixRow);
  }

  async readStream(streamId: string, afterVersion: number): Promise<EventLogRow[]> {
    return (await this.dataSource.query(SQL.readStream, [streamId, afterVersion])).map(fixRow);
  }

  async write(streamId: string | null, plan: StreamPlan): Promise<EventLogRow[]> {
    return this.locked(async (qr) => {
      const head = await readHead(qr);
      const version = streamId === null ? 0 : await readStreamVersion(qr, streamId);
      const rows = plan(head, version);
      await insertRows(qr, rows);
      return rows;
    });
  }

  // The slave's replicated append: the read model's rows go through TypeORM in the same
  // transaction, so this one path keeps TypeORM's query runner.
  async writeWith(plan: (head: LogHead) => EventLogRow[], within: (tx: EntityManager) => Promise<void>): Promise<EventLogRow[]> {
    return storageLock(this.dataSource).runExclusive(async () => {
      const qr = this.dataSource.createQueryRunner('master');
      await qr.connect();
      const tx: Tx = {
        query: (text, params) => qr.query(text, params),
        run: async (text, params) => Number((await qr.query(text, params, true)).affected ?? 0),
      };
      try {
        await qr.startTransaction();
        await qr.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK_KEY]);
        const rows = plan(await readHead(tx));
        await insertRows(tx, rows);
        await within(qr.manager);
        await qr.commitTransaction();
        return rows;
      } catch (err) {
        if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
        const pgCode = errorCodeOf((err as { driverError?: unknown }).driverError) ?? errorCodeOf(err);
        if (pgCode === '23505') throw new DuplicateRowError(err);
        throw err;
      } finally {
        await qr.release();
      }
    });
  }

  async writeMany(streamIds: string[], plan: StreamsPlan): Promise<EventLogRow[]> {
    return this.writeGroup(() => ({ streamIds, plan }));
  }

  async writeGroup(take: () => GroupPlan | null): Promise<EventLogRow[]> {
    return this.locked(async (qr) => {
      const group = take();
      if (!group) return [];
      const { streamIds, plan } = group;
      const head = await readHead(qr);
      const versions = new Map(streamIds.map((id) => [id, 0]));
      const found: Array<{ id: string; v: number | string }> = await qr.query(
        'SELECT stream_id AS id, MAX(stream_version) AS v FROM event_log WHERE stream_id = ANY($1) GROUP BY stream_id',
        [streamIds],
      );
      for (const r of found) versions.set(r.id, Number(r.v));
      const rows = plan(head, versions);
      await insertRows(qr, rows);
      await upsertSnapshots(qr, group.snapshots?.() ?? []);
      return rows;
    });
  }

  async readSnapshot(streamId: string, fold: string): Promise<StreamSnapshot | null> {
    return snapshotFrom((await this.dataSource.query(SQL.readSnapshot, [streamId, fold]))[0]);
  }

  // Upserts serialize on the row; no need for the append lock.
  async writeSnapshot(row: SnapshotRow): Promise<void> {
    await upsertSnapshots(this.dataSource, [row]);
  }

  async setAsideAfter(position: number, mark: SetAsideMark, check: (head: LogHead) => void): Promise<{ count: number; head: LogHead }> {
    return this.locked(async (qr) => {
      check(await readHead(qr));
      await qr.query(SQL.setAside, [mark.divergenceId, mark.setAsideAt, mark.reason, position]);
      const count = await qr.run(SQL.deleteAfter, [position]);
      return { count, head: await readHead(qr) };
    });
  }

  async listSetAside(): Promise<SetAsideRow[]> {
    const rows: SetAsideRow[] = await this.dataSource.query(SQL.listSetAside);
    return rows.map((r) => ({ ...r, fromPosition: Number(r.fromPosition), toPosition: Number(r.toPosition), count: Number(r.count) }));
  }

  async readSetAside(divergenceId: string): Promise<EventLogRow[]> {
    return (await this.dataSource.query(SQL.readSetAside, [divergenceId])).map(fixRow);
  }

  // One transaction holding the append advisory lock. The in-process lock keeps concurrent
  // writers from each holding a pooled connection while they queue on the advisory lock.
  private locked<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return storageLock(this.dataSource).runExclusive(async () => {
      const pool = (this.dataSource.driver as unknown as { master?: PgPool }).master;
      if (!pool) throw new EventStoreError('closed', 'event store is closed');
      const client = await pool.connect();
      const tx: Tx = {
        query: async (text, params) => (await client.query({ text, values: params })).rows as never[],
        run: async (text, params) => (await client.query({ text, values: params })).rowCount ?? 0,
      };
      let broken: unknown;
      try {
        await client.query({ text: 'BEGIN' });
        try {
          await client.query({ text: 'SELECT pg_advisory_xact_lock($1)', values: [APPEND_LOCK_KEY] });
          // READ COMMITTED: statements after the lock see every append committed before it.
          const result = await fn(tx);
          await client.query({ text: 'COMMIT' });
          return result;
        } catch (err) {
          await client.query({ text: 'ROLLBACK' }).catch((e: unknown) => { broken = e; });
          throw err;
        }
      } catch (err) {
        if (errorCodeOf(err) === '23505') throw new DuplicateRowError(err);
        throw err;
      } finally {
        client.release(broken); // a connection that failed its ROLLBACK is not reused
      }
    });
  }
}

async function insertRows(qr: Tx, rows: EventLogRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK);
    const params: unknown[] = [];
    const values = chunk.map((r) => {
      const n = params.length;
      params.push(r.position, r.streamId, r.streamVersion, r.type, r.schemaVersion, r.payload, r.metadata, r.timestamp, r.prevHash, r.hash);
      return `(${Array.from({ length: 10 }, (_, k) => placeholder(n + k + 1)).join(',')})`;
    });
    await qr.query(`${SQL.insertPrefix} VALUES ${values.join(',')}`, params);
  }
}

const SNAPSHOT_CHUNK = 500; // rows per upsert (6 parameters each)

async function upsertSnapshots(q: { query(sql: string, params: unknown[]): Promise<unknown> }, rows: SnapshotRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += SNAPSHOT_CHUNK) {
    const chunk = rows.slice(i, i + SNAPSHOT_CHUNK);
    await q.query(snapshotUpsertSql(chunk.length, placeholder), snapshotParams(chunk));
  }
}

// Over the pool (DataSource) or inside a locked transaction (Tx): both hand back plain rows.
type Rows = Pick<Tx, 'query'>;

async function readHead(q: Rows): Promise<LogHead> {
  return headFrom((await q.query(SQL.head))[0]);
}

async function readStreamVersion(q: Rows, streamId: string): Promise<number> {
  return Number((await q.query(SQL.streamVersion, [streamId]))[0].v);
}

function fixRow(r: EventLogRow & { position: number | string }): EventLogRow {
  r.position = Number(r.position);
  return r;
}
