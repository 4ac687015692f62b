import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EntitySchema } from 'typeorm';
import { describeEachBackend } from '../../../test/support/backends';
import {
  ANY_VERSION,
  GENESIS_HASH,
  computeRecordHash,
  createEventStore,
  isEventStoreError,
  openStorage,
  TypeOrmEventStore,
  type StoredEvent,
} from './index';
import { caught, ev, meta, until, storesClosedAfterEach } from './testing/spec-helpers';

describeEachBackend('TypeOrmEventStore', ({ backend, freshStorage }) => {
  jest.setTimeout(60_000);
  const { store, track } = storesClosedAfterEach(async () => (await freshStorage()).url);

  it('appends events with positions, stream versions, metadata, clock time and a hash chain', async () => {
    const sut = await store(undefined, () => new Date('2026-03-01T10:00:00Z'));
    const first = await sut.append('user-1', 0, [
      ev({ name: 'Ada' }, 'UserCreated'),
      { ...ev({ pin: 'sealed' }, 'PinSet'), metadata: { ...meta, correlationId: 'c-1', causationId: 'k-1' } },
    ]);
    const second = await sut.append('user-2', 0, [ev({ name: 'Bob' }, 'UserCreated')]);

    expect(first.map((e) => [e.position, e.streamVersion])).toEqual([[1, 1], [2, 2]]);
    expect(second[0]).toMatchObject({ position: 3, streamId: 'user-2', streamVersion: 1 });
    expect(first[0].prevHash).toBe(GENESIS_HASH);
    expect(first[1].prevHash).toBe(first[0].hash);
    expect(second[0].prevHash).toBe(first[1].hash);
    expect(first[1].metadata).toEqual({ ...meta, correlationId: 'c-1', causationId: 'k-1' });
    expect(first[0].timestamp).toBe('2026-03-01T10:00:00.000Z');
    for (const e of [...first, ...second]) expect(computeRecordHash(e)).toBe(e.hash);

    const all = await sut.readFrom(0, 100);
    expect(all).toEqual([...first, ...second]);
    expect(await sut.readStream('user-1')).toEqual(first);
    // Only what came after a version the caller already folded.
    expect(await sut.readStream('user-1', 1)).toEqual(first.slice(1));
    expect(await sut.readStream('user-1', 2)).toEqual([]);
    expect((await caught(sut.readStream('user-1', -1))).code).toBe('invalid_append');
    expect(await sut.streamVersion('user-1')).toBe(2);
    expect(await sut.streamVersion('nobody')).toBe(0);
    expect(await sut.head()).toEqual({ position: 3, hash: second[0].hash });
  });

  it('reads from a position in pages', async () => {
    const sut = await store();
    await sut.append('s', 0, Array.from({ length: 25 }, (_, i) => ev({ i })));
    expect((await sut.readFrom(10, 5)).map((e) => e.position)).toEqual([11, 12, 13, 14, 15]);
    expect(await sut.readFrom(25, 10)).toEqual([]);
    expect(await sut.readFrom(0, 0)).toEqual([]);
  });

  it('rejects a stale expected version with version_conflict and writes nothing', async () => {
    const sut = await store();
    await sut.append('user-1', 0, [ev({ a: 1 })]);
    const err = await caught(sut.append('user-1', 0, [ev({ a: 2 }), ev({ a: 3 })]));
    expect(err.code).toBe('version_conflict');
    expect(err.details).toMatchObject({ expected: 0, actual: 1 });
    expect((await caught(sut.append('user-9', 3, [ev({})]))).details).toMatchObject({ expected: 3, actual: 0 });
    expect(await sut.head()).toMatchObject({ position: 1 });
    await sut.append('user-1', ANY_VERSION, [ev({ a: 4 })]);
    expect(await sut.streamVersion('user-1')).toBe(2);
  });

  it('rejects malformed appends with invalid_append', async () => {
    const sut = await store();
    expect((await caught(sut.append('s', 0, []))).code).toBe('invalid_append');
    expect((await caught(sut.append('', 0, [ev({})]))).code).toBe('invalid_append');
    expect((await caught(sut.append('s', 0, [ev({ n: NaN })]))).code).toBe('invalid_append');
    expect((await caught(sut.append('s', 0, [{ ...ev({}), metadata: { actor: '', nodeId: 'n', epoch: 0 } }]))).code).toBe('invalid_append');
    expect(await sut.head()).toEqual({ position: 0, hash: GENESIS_HASH });
  });

  it('writes all events of an append or none (one transaction)', async () => {
    const sut = await store();
    await sut.append('a', 0, [ev({ n: 1 })]);
    // A trigger makes the 2nd row of the next append fail after the 1st was inserted.
    if (backend === 'sqlite') {
      await sut.dataSource.query(
        `CREATE TRIGGER boom BEFORE INSERT ON event_log WHEN NEW.payload LIKE '%boom%' BEGIN SELECT RAISE(ABORT, 'boom'); END`,
      );
      expect(await sut.dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name = 'boom'`)).toHaveLength(1);
    } else {
      await sut.dataSource.query(
        `CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.payload LIKE '%boom%' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await sut.dataSource.query('CREATE TRIGGER boom BEFORE INSERT ON event_log FOR EACH ROW EXECUTE FUNCTION boom()');
    }
    // Not rejects.toThrow: better-sqlite3's native addon keeps the SqliteError class of the first
    // jest test file that loaded it in this worker, so this rejection may not be `instanceof
    // Error` here and toThrow would report "did not throw" (the store did refuse the append).
    await expect(sut.append('b', 0, [ev({ n: 2 }), ev({ n: 'boom' })])).rejects.toMatchObject({ message: expect.stringMatching(/boom/) });
    expect(await sut.readStream('b')).toEqual([]);
    expect(await sut.head()).toMatchObject({ position: 1 });
    const [next] = await sut.append('b', 0, [ev({ n: 3 })]);
    expect(next.position).toBe(2);
  });

  it('keeps positions gap-free under 50 concurrent writers on several connections', async () => {
    const { url } = await freshStorage();
    const stores = [await store(url), await store(url), await store(url)];
    let conflicts = 0;
    let appended = 0;
    const writer = async (w: number): Promise<void> => {
      const s = stores[w % stores.length];
      for (let i = 0; i < 4; i++) {
        if (w % 2 === 0) {
          await s.append(`own-${w}`, i * 2, [ev({ w, i }), ev({ w, i, second: true })]);
          appended += 2;
        } else {
          // read-then-append on one hot stream: losers must see version_conflict
          const v = await s.streamVersion('hot');
          try {
            await s.append('hot', v, [ev({ w, i })]);
            appended += 1;
          } catch (err) {
            if (!isEventStoreError(err, 'version_conflict')) throw err;
            conflicts += 1;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 50 }, (_, w) => writer(w)));

    const all = await stores[0].readFrom(0, 10_000);
    expect(all.map((e) => e.position)).toEqual(Array.from({ length: appended }, (_, i) => i + 1));
    const hot = await stores[0].readStream('hot');
    expect(hot.map((e) => e.streamVersion)).toEqual(Array.from({ length: hot.length }, (_, i) => i + 1));
    expect(hot.length + conflicts).toBe(25 * 4);
    expect(await stores[1].verify()).toMatchObject({ ok: true, checked: appended });
  });

  it('keeps one gap-free chain when a second process appends to the same database', async () => {
    const { url } = await freshStorage();
    const sut = await store(url);
    const worker = promisify(execFile)(
      process.execPath,
      ['-r', join(__dirname, 'testing/register-ts.js'), join(__dirname, 'testing/append-worker.ts'), url, 'child', '150'],
      { timeout: 50_000 },
    );
    // start only once the child is appending, so both really write at the same time
    for (let t = 0; (await sut.streamVersion('own-child')) === 0; t++) {
      if (t > 2000) throw new Error('child process never appended');
      await new Promise((r) => setTimeout(r, 10));
    }
    for (let i = 0; i < 150; i++) {
      await sut.append('own-parent', i, [ev({ i })]);
      for (;;) {
        try {
          await sut.append('shared', await sut.streamVersion('shared'), [ev({ i })]);
          break;
        } catch (err) {
          if (!isEventStoreError(err, 'version_conflict')) throw err;
        }
      }
    }
    const child = JSON.parse((await worker).stdout) as { appended: number };
    expect(child.appended).toBe(300);
    const result = await sut.verify();
    expect(result).toMatchObject({ ok: true, checked: 600 });
    const shared = await sut.readStream('shared');
    expect(shared.map((e) => e.streamVersion)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(await sut.streamVersion('own-child')).toBe(150);
    expect(shared.filter((e) => e.metadata.nodeId === 'child')).toHaveLength(150);
  });

  describe('verify', () => {
    async function logOf(n: number): Promise<TypeOrmEventStore> {
      const sut = await store();
      for (let i = 0; i < n; i++) await sut.append(`s-${i % 3}`, ANY_VERSION, [ev({ i })]);
      return sut;
    }

    it('accepts an intact log and reports progress', async () => {
      const sut = await logOf(12);
      const progress: number[] = [];
      const result = await sut.verify((n) => progress.push(n));
      expect(result).toEqual({ ok: true, checked: 12, head: await sut.head() });
      expect(progress[progress.length - 1]).toBe(12);
      expect(await (await store()).verify()).toEqual({ ok: true, checked: 0, head: { position: 0, hash: GENESIS_HASH } });
    });

    it('names the record whose payload was edited in the database', async () => {
      const sut = await logOf(8);
      await sut.dataSource.query(`UPDATE event_log SET payload = '{"i":999}' WHERE position = 5`);
      expect(await sut.verify()).toEqual({ ok: false, checked: 4, firstBroken: { position: 5, reason: 'hash mismatch' } });
    });

    it('tolerates equivalent but re-formatted JSON text', async () => {
      const sut = await logOf(3);
      await sut.dataSource.query(`UPDATE event_log SET payload = '{ "i" : 1 }' WHERE position = 2`);
      expect(await sut.verify()).toMatchObject({ ok: true, checked: 3 });
    });

    it('names a record whose prev_hash does not link', async () => {
      const sut = await logOf(6);
      await sut.dataSource.query(`UPDATE event_log SET prev_hash = '${'a'.repeat(64)}' WHERE position = 4`);
      expect(await sut.verify()).toMatchObject({ ok: false, firstBroken: { position: 4, reason: 'prev_hash does not link' } });
    });

    it('names the record after a deleted one as a position gap', async () => {
      const sut = await logOf(6);
      await sut.dataSource.query('DELETE FROM event_log WHERE position = 3');
      const result = await sut.verify();
      expect(result).toMatchObject({ ok: false, checked: 2, firstBroken: { position: 4 } });
      expect(!result.ok && result.firstBroken.reason).toMatch(/position gap/);
    });

    it('walks logs longer than one page', async () => {
      const sut = await store();
      for (let i = 0; i < 5; i++) await sut.append('bulk', ANY_VERSION, Array.from({ length: 500 }, (_, k) => ev({ k })));
      await sut.dataSource.query(`UPDATE event_log SET type = 'Forged' WHERE position = 2345`);
      expect(await sut.verify()).toMatchObject({ ok: false, checked: 2344, firstBroken: { position: 2345, reason: 'hash mismatch' } });
    });
  });

  describe('appendReplicated', () => {
    async function masterWith(n: number): Promise<{ master: TypeOrmEventStore; records: StoredEvent[] }> {
      const master = await store();
      for (let i = 0; i < n; i++) await master.append(`u-${i % 4}`, ANY_VERSION, [ev({ i }), ev({ i, b: 1 })]);
      return { master, records: await master.readFrom(0, 1000) };
    }

    it('copies records verbatim so the replica holds the same chain', async () => {
      const { master, records } = await masterWith(10);
      const replica = await store();
      expect(await replica.appendReplicated(records.slice(0, 7))).toEqual({ position: 7, hash: records[6].hash });
      await replica.appendReplicated(records.slice(7));
      expect(await replica.readFrom(0, 1000)).toEqual(records);
      expect(await replica.head()).toEqual(await master.head());
      expect(await replica.verify()).toMatchObject({ ok: true, checked: 20 });
      // the replica keeps appending on top of the replicated chain
      const [next] = await replica.append('u-0', ANY_VERSION, [ev({ after: true })]);
      expect(next).toMatchObject({ position: 21, prevHash: records[19].hash, streamVersion: 7 });
    });

    it.each([
      ['a batch that does not start at head+1', (r: StoredEvent[]) => r.slice(1, 4)],
      ['a forged payload', (r: StoredEvent[]) => [{ ...r[0], payload: { i: 42 } }]],
      ['a prev_hash that does not match the head', (r: StoredEvent[]) => {
        const forged = { ...r[0], prevHash: 'b'.repeat(64) };
        return [{ ...forged, hash: computeRecordHash(forged) }];
      }],
      ['a hole inside the batch', (r: StoredEvent[]) => [r[0], r[2]]],
    ])('refuses %s with chain_mismatch and writes nothing', async (_name, pick) => {
      const { records } = await masterWith(3);
      const replica = await store();
      const err = await caught(replica.appendReplicated(pick(records)));
      expect(err.code).toBe('chain_mismatch');
      expect(await replica.head()).toEqual({ position: 0, hash: GENESIS_HASH });
    });

    it('stores the canonical text of a record whose keys arrive in another order (integer-like keys too), and its hash still verifies', async () => {
      const master = await store();
      await master.append('u-0', ANY_VERSION, [ev({ zeta: 1, alpha: { '10': 'x', '9': 'y', b: [2, { d: 1, c: 0 }] } })]);
      const [record] = await master.readFrom(0, 10);
      // As another encoder might send it: the same data, keys in reverse order at every level.
      const reversed = (v: unknown): unknown => Array.isArray(v) ? v.map(reversed)
        : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;
      const replica = await store();
      await replica.appendReplicated([{ ...record, payload: reversed(record.payload) as Record<string, unknown>, metadata: reversed(record.metadata) as StoredEvent['metadata'] }]);
      expect(await replica.readFrom(0, 10)).toEqual([record]);
      const [row] = await replica.dataSource.query('SELECT payload FROM event_log WHERE position = 1');
      expect(row.payload).toBe('{"alpha":{"10":"x","9":"y","b":[2,{"c":0,"d":1}]},"zeta":1}');
      expect(await replica.verify()).toMatchObject({ ok: true, checked: 1 });
    });

    it('refuses records from a diverged history', async () => {
      const { records } = await masterWith(3);
      const replica = await store();
      await replica.append('local', 0, [ev({ diverged: true })]);
      expect((await caught(replica.appendReplicated(records.slice(1)))).code).toBe('chain_mismatch');
      expect(await replica.head()).toMatchObject({ position: 1 });
    });
  });

  describe('subscribe', () => {
    it('catches up, then follows live appends in order, one handler call at a time', async () => {
      const sut = await store();
      await sut.append('s', 0, [ev({ n: 1 }), ev({ n: 2 }), ev({ n: 3 })]);
      const seen: number[] = [];
      let running = 0;
      let maxRunning = 0;
      const sub = sut.subscribe(1, async (e) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 2));
        seen.push(e.position);
        running--;
      }, { pollIntervalMs: 60_000 }); // live delivery must not depend on the poll
      await until(() => seen.length === 2);
      await Promise.all([sut.append('t', 0, [ev({})]), sut.append('u', 0, [ev({}), ev({})])]);
      await until(() => seen.length === 5);
      await new Promise((r) => setTimeout(r, 50));
      sub.close();
      expect(seen).toEqual([2, 3, 4, 5, 6]);
      expect(maxRunning).toBe(1);
    });

    it('retries the same event after a handler error and never skips it', async () => {
      const sut = await store();
      await sut.append('s', 0, [ev({ n: 1 }), ev({ n: 2 })]);
      const seen: number[] = [];
      const errors: number[] = [];
      let failures = 2;
      const sub = sut.subscribe(0, (e) => {
        if (e.position === 1 && failures-- > 0) throw new Error('projection down');
        seen.push(e.position);
      }, { retryDelayMs: 10, onError: (_err, e) => errors.push(e!.position) });
      await until(() => seen.length === 2);
      sub.close();
      expect(seen).toEqual([1, 2]);
      expect(errors).toEqual([1, 1]);
    });

    it('picks up appends made through another connection by polling', async () => {
      const { url } = await freshStorage();
      const reader = await store(url);
      const writer = await store(url);
      const seen: number[] = [];
      reader.subscribe(0, (e) => void seen.push(e.position), { pollIntervalMs: 20 });
      await writer.append('s', 0, [ev({}), ev({})]);
      await until(() => seen.length === 2);
      expect(seen).toEqual([1, 2]);
    });

    it('stops delivering after close()', async () => {
      const sut = await store();
      const seen: number[] = [];
      const sub = sut.subscribe(0, (e) => void seen.push(e.position), { pollIntervalMs: 10 });
      await sut.append('s', 0, [ev({})]);
      await until(() => seen.length === 1);
      sub.close();
      await sut.append('s', 1, [ev({})]);
      await new Promise((r) => setTimeout(r, 80));
      expect(seen).toEqual([1]);
    });
  });

  it('shares its DataSource with the caller\'s own tables and refuses calls after close()', async () => {
    const Note = new EntitySchema<{ id: number; text: string }>({
      name: 'Note',
      tableName: 'note',
      columns: { id: { type: 'integer', primary: true }, text: { type: 'varchar' } },
    });
    const ds = await openStorage(await freshStorage(), [Note]);
    const sut = new TypeOrmEventStore(ds, () => new Date('2026-01-01T00:00:00Z'));
    await sut.append('s', 0, [ev({})]);
    await ds.getRepository(Note).insert({ id: 1, text: 'projection row' });
    expect(await ds.getRepository(Note).count()).toBe(1);
    await sut.close();
    expect(ds.isInitialized).toBe(false);
    expect((await caught(sut.head())).code).toBe('closed');
  });

  it('never lets an append join or be rolled back with another caller\'s open transaction', async () => {
    const Note = new EntitySchema<{ id: number }>({ name: 'Note', tableName: 'note', columns: { id: { type: 'integer', primary: true } } });
    const ds = await openStorage(await freshStorage(), [Note]);
    const sut = new TypeOrmEventStore(ds);
    track(sut);
    const qr = ds.createQueryRunner();
    await qr.startTransaction();
    await qr.query('INSERT INTO note (id) VALUES (1)');
    const appending = sut.append('s', 0, [ev({})]);
    await new Promise((r) => setTimeout(r, 50));
    await qr.rollbackTransaction();
    await qr.release();
    await appending;
    expect(await sut.readStream('s')).toHaveLength(1);
    expect(await ds.getRepository(Note).count()).toBe(0);
  });

  it(`reopens an existing ${backend} database and continues the chain`, async () => {
    const { url } = await freshStorage();
    const first = await createEventStore({ url });
    const [a] = await first.append('s', 0, [ev({})]);
    await first.close();
    const second = await store(url);
    const [b] = await second.append('s', 1, [ev({})]);
    expect(b).toMatchObject({ position: 2, prevHash: a.hash, streamVersion: 2 });
  });
});
