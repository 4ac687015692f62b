import type BetterSqlite3 from 'better-sqlite3';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AsyncMutex } from './async-mutex';
import { EventLogEntity, POSTGRES_EVENT_LOG_DDL, SQLITE_EVENT_LOG_DDL } from './event-log.entity';
import { EventStoreError } from './event-store-error';
import { prepareSynchronous } from './wal-sync';

export interface StorageConfig {
  // postgres:// or postgresql:// selects PostgreSQL; anything else is a SQLite file path.
  url?: string;
  sqlitePath?: string; // used when url is absent; ':memory:' for tests
  logging?: boolean;
  sqliteBusyTimeoutMs?: number; // how long a writer waits for another process's lock (default 10 s)
  // FULL (default): an append resolves only once the WAL holding it is synced to disk, so it
  // survives power loss; the sync runs off the event loop (see wal-sync.ts). NORMAL: no sync.
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  // false: let SQLite sync inside each COMMIT, on the event loop (benchmarks compare the two).
  sqliteSyncOffEventLoop?: boolean;
  poolSize?: number; // PostgreSQL connection pool (default 10)
}

// Entity classes or EntitySchemas of the caller's own tables.
export type StorageEntities = NonNullable<DataSourceOptions['entities']>;

export type StorageKind = 'sqlite' | 'postgres';

export type ResolvedStorage =
  | { kind: 'postgres'; url: string }
  | { kind: 'sqlite'; path: string };

export function resolveStorage(config: StorageConfig): ResolvedStorage {
  const url = config.url?.trim();
  if (url && /^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  const path = url || config.sqlitePath?.trim();
  if (!path) throw new EventStoreError('invalid_config', 'storage: set url (postgres://...) or a SQLite path');
  return { kind: 'sqlite', path: path.replace(/^sqlite:(\/\/)?/i, '') };
}

// Options for a DataSource holding the event log plus the caller's own entities (read models),
// so projections and their checkpoint can commit in the same database as the log.
export function buildDataSourceOptions(
  config: StorageConfig,
  extraEntities: StorageEntities = [],
  opts: { synchronize?: boolean } = {},
): DataSourceOptions {
  const storage = resolveStorage(config);
  const entities = [EventLogEntity, ...(Array.isArray(extraEntities) ? extraEntities : Object.values(extraEntities))];
  const common = { entities, logging: config.logging ?? false, synchronize: opts.synchronize ?? true };
  if (storage.kind === 'postgres') {
    return { ...common, type: 'postgres', url: storage.url, poolSize: config.poolSize ?? 10 };
  }
  const busyTimeout = config.sqliteBusyTimeoutMs ?? 10_000;
  const synchronous = config.sqliteSynchronous ?? 'FULL';
  return {
    ...common,
    type: 'better-sqlite3',
    database: storage.path,
    enableWAL: true, // readers in other processes never block the writer
    timeout: busyTimeout, // better-sqlite3 sets busy_timeout from this
    statementCacheSize: 200,
    prepareDatabase: (db: BetterSqlite3.Database) => {
      db.pragma(`busy_timeout = ${Math.floor(busyTimeout)}`);
      prepareSynchronous(db, synchronous, config.sqliteSyncOffEventLoop ?? true);
    },
  };
}

// Opens (initializes) the shared DataSource and makes sure event_log exists. `synchronize`
// (default true) only touches extraEntities: event_log opts out of TypeORM schema sync.
export async function openStorage(
  config: StorageConfig,
  extraEntities: StorageEntities = [],
  opts: { synchronize?: boolean } = {},
): Promise<DataSource> {
  const dataSource = new DataSource(buildDataSourceOptions(config, extraEntities, opts));
  await dataSource.initialize();
  try {
    await ensureEventLogSchema(dataSource);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  return dataSource;
}

export function storageKind(dataSource: DataSource): StorageKind {
  const type = dataSource.options.type;
  if (type === 'postgres') return 'postgres';
  if (type === 'better-sqlite3') return 'sqlite';
  throw new EventStoreError('invalid_config', `storage: unsupported DataSource type ${type}`);
}

export async function ensureEventLogSchema(dataSource: DataSource): Promise<void> {
  const kind = storageKind(dataSource);
  if (kind === 'postgres') {
    // Two processes starting at once may both try CREATE TABLE; serialize them.
    await dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
      for (const ddl of POSTGRES_EVENT_LOG_DDL) await em.query(ddl);
    });
  } else {
    await storageLock(dataSource).runExclusive(async () => {
      for (const ddl of SQLITE_EVENT_LOG_DDL) await dataSource.query(ddl);
    });
  }
}

// Advisory lock keys (per database). Appends hold APPEND_LOCK_KEY for their transaction.
export const APPEND_LOCK_KEY = 7_370_812_001;
const SCHEMA_LOCK_KEY = 7_370_812_002;

const locks = new WeakMap<DataSource, AsyncMutex>();

// The in-process write lock of a DataSource. On SQLite every query of a DataSource runs on ONE
// connection, so a transaction opened by one caller would swallow statements of another caller
// that runs between its awaits: anyone opening a transaction on a shared SQLite DataSource
// (read-model projections) must do it inside storageLock(ds).runExclusive(...). Appends use it too.
export function storageLock(dataSource: DataSource): AsyncMutex {
  let lock = locks.get(dataSource);
  if (!lock) {
    lock = new AsyncMutex();
    locks.set(dataSource, lock);
  }
  return lock;
}
