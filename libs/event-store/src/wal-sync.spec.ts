// The default import is the module object itself (a namespace import would be a copy the store never calls).
import fs, { mkdtempSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { openStorage, TypeOrmEventStore, type StorageConfig } from './index';
import { caught, ev, until } from './testing/spec-helpers';

// The WAL sync of synchronous=FULL, done off the event loop: an append resolves only after the
// WAL holding it was synced, the event loop runs meanwhile, one sync serves many appends, and
// nothing is readable through the store before it is durable.
describe('SQLite WAL sync off the event loop', () => {
  jest.setTimeout(30_000);
  let dir: string;
  const stores: TypeOrmEventStore[] = [];
  let syncs: string[];
  let gate: { hold: boolean; waiting: Array<() => void>; fail?: Error };

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'twofold-wal-sync-')));
    syncs = [];
    gate = { hold: false, waiting: [] };
    const realSync = fs.fdatasync;
    jest.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, done: (err: NodeJS.ErrnoException | null) => void) => {
      syncs.push(readlinkSync(`/proc/self/fd/${fd}`));
      const go = () => (gate.fail ? done(gate.fail) : realSync(fd, done));
      if (gate.hold) gate.waiting.push(go);
      else go();
    }) as typeof fs.fdatasync);
    const realSyncNow = fs.fdatasyncSync;
    jest.spyOn(fs, 'fdatasyncSync').mockImplementation((fd: number) => {
      syncs.push(`inline ${readlinkSync(`/proc/self/fd/${fd}`)}`);
      if (gate.fail) throw gate.fail;
      realSyncNow(fd);
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    for (const s of stores.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const release = () => {
    gate.hold = false;
    for (const r of gate.waiting.splice(0)) r();
  };

  async function open(config: Partial<StorageConfig> = {}): Promise<{ store: TypeOrmEventStore; db: BetterSqlite3.Database }> {
    const dataSource = await openStorage({ sqlitePath: join(dir, 'log.sqlite'), ...config });
    const store = new TypeOrmEventStore(dataSource);
    stores.push(store);
    await store.head(); // the first read syncs once (whatever an earlier process left)
    syncs.length = 0;
    return { store, db: (dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection };
  }

  const settledYet = async (p: Promise<unknown>) => {
    let done = false;
    void p.then(() => (done = true), () => (done = true));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    return done;
  };

  it('answers an append only after the WAL is synced, and keeps the event loop running meanwhile', async () => {
    const { store, db } = await open();
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL: SQLite itself never syncs in a COMMIT
    gate.hold = true;
    // Two appends at once: one group of two, whose sync runs off the event loop.
    const [append] = [store.append('user-1', 0, [ev({ n: 1 })]), store.append('user-2', 0, [ev({ n: 2 })])];
    // The loop runs while the sync is held: timers fire, and the append is still unanswered.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    await until(() => ticks >= 5 && syncs.length === 1);
    clearInterval(ticker);
    expect(await settledYet(append)).toBe(false);
    expect(syncs).toEqual([join(dir, 'log.sqlite-wal')]);

    // Committed (another connection sees it), but not readable through the store yet.
    const other = new Database(join(dir, 'log.sqlite'), { readonly: true });
    expect((other.prepare('SELECT COUNT(*) AS n FROM event_log').get() as { n: number }).n).toBe(2);
    other.close();
    const head = store.head();
    const read = store.readFrom(0, 10);
    expect(await settledYet(head)).toBe(false);

    release();
    expect((await append).map((e) => e.position)).toEqual([1]);
    expect((await head).position).toBe(2);
    expect((await read).map((e) => e.position)).toEqual([1, 2]);
  });

  it('syncs a lone append on the event loop (nothing to overlap with)', async () => {
    const { store } = await open();
    await store.append('user-1', 0, [ev({ n: 1 })]);
    expect(syncs).toEqual([`inline ${join(dir, 'log.sqlite-wal')}`]);
  });

  it('serves many concurrent appends with a few syncs', async () => {
    const { store } = await open();
    const appends = Array.from({ length: 40 }, (_, i) => store.append(`user-${i}`, 0, [ev({ n: i })]));
    await Promise.all(appends);
    expect(syncs.length).toBeGreaterThanOrEqual(1);
    expect(syncs.length).toBeLessThanOrEqual(3);
    expect((await store.head()).position).toBe(40);
  });

  it('fails an append whose sync fails with a clear error, and the next one goes through', async () => {
    const { store } = await open();
    gate.fail = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const lone = await caught(store.append('user-1', 0, [ev({ n: 1 })]));
    const grouped = await Promise.allSettled([store.append('user-2', 0, [ev({ n: 2 })]), store.append('user-3', 0, [ev({ n: 3 })])]);
    for (const failed of [lone, ...grouped.map((r) => (r as PromiseRejectedResult).reason as Error & { code?: string })]) {
      expect(failed).toMatchObject({ code: 'storage_sync_failed' });
      expect(failed.message).toMatch(/could not sync the SQLite WAL to disk: EIO/);
    }
    gate.fail = undefined;
    // Committed before their sync failed: the streams are at version 1, and the next append is durable.
    const next = await store.append('user-1', 1, [ev({ n: 4 })]);
    expect(next.map((e) => e.position)).toEqual([4]);
  });

  it('syncs a commit made by another process before reading it', async () => {
    const { store } = await open();
    const writer = await new TypeOrmEventStore(await openStorage({ sqlitePath: join(dir, 'log.sqlite'), sqliteSynchronous: 'NORMAL' }));
    stores.push(writer);
    await writer.append('user-9', 0, [ev({ n: 9 })]);
    syncs.length = 0;
    expect((await store.head()).position).toBe(1);
    expect(syncs).toHaveLength(1);
  });

  it('leaves the sync inside the COMMIT when asked, and syncs nothing at NORMAL', async () => {
    const onLoop = await open({ sqliteSyncOffEventLoop: false });
    expect(onLoop.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    await onLoop.store.append('user-1', 0, [ev({ n: 1 })]);
    expect(syncs).toEqual([]);
    await onLoop.store.close();

    const normal = await open({ sqliteSynchronous: 'NORMAL' });
    expect(normal.db.pragma('synchronous', { simple: true })).toBe(1);
    await normal.store.append('user-1', 1, [ev({ n: 2 })]);
    expect(syncs).toEqual([]);
  });
});
