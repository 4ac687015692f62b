import { computeRecordHash, GENESIS_HASH, type StoredEvent } from '@twofold/event-store';
import { ChainBrokenError, ChainVerifier } from './chain-verifier';
import { fromKafkaMessage, KafkaRecordError, toKafkaMessage } from './log-record-codec';

// A real hash-chained log of n records, as the master's store writes it.
function chain(n: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let position = 1; position <= n; position++) {
    const e = { position, streamId: `user-${position}`, streamVersion: 1, type: 'UserCreated', schemaVersion: 1, payload: { username: `u${position}` }, metadata: { actor: 'admin:1', nodeId: 'n1', epoch: 0 }, timestamp: '2026-12-01T00:00:00.000Z', prevHash };
    const hash = computeRecordHash(e);
    out.push({ ...e, hash });
    prevHash = hash;
  }
  return out;
}

function broken(fn: () => unknown): ChainBrokenError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChainBrokenError) return err;
    throw err;
  }
  throw new Error('expected the chain to be refused');
}

describe('ChainVerifier (what a consumer of the topic does with each record)', () => {
  const log = chain(6);

  it('accepts the log in order and drops a republished tail by position', () => {
    const v = new ChainVerifier();
    const seen = [...log.slice(0, 4), log[2], log[3], ...log.slice(4)].map((e) => v.accept(e));
    expect(seen).toEqual(['next', 'next', 'next', 'next', 'duplicate', 'duplicate', 'next', 'next']);
    expect(v.position).toBe(6);
  });

  it('starts at a later position and skips what comes before it', () => {
    const v = new ChainVerifier(4);
    expect(log.map((e) => v.accept(e))).toEqual(['before-start', 'before-start', 'before-start', 'next', 'next', 'next']);
  });

  it('refuses a gap, an altered record, a record that does not link, and a second record at a position', () => {
    expect(broken(() => [log[0], log[2]].forEach((e) => new ChainVerifier().accept(e))).position).toBeGreaterThan(0);
    const v1 = new ChainVerifier();
    v1.accept(log[0]);
    expect(broken(() => v1.accept(log[2]))).toMatchObject({ position: 2 });
    expect(broken(() => new ChainVerifier().accept({ ...log[0], payload: { username: 'mallory' } })).reason).toMatch(/does not hash/);
    const relinked = { ...log[1], prevHash: 'f'.repeat(64) };
    const v2 = new ChainVerifier();
    v2.accept(log[0]);
    expect(broken(() => v2.accept({ ...relinked, hash: computeRecordHash(relinked) })).reason).toMatch(/does not link/);
    const other = { ...log[0], payload: { username: 'other' } };
    const v3 = new ChainVerifier();
    v3.accept(log[0]);
    expect(broken(() => v3.accept({ ...other, hash: computeRecordHash(other) })).reason).toMatch(/second, different record/);
    expect(broken(() => new ChainVerifier().accept(log[1])).reason).toMatch(/jumps to position 2/);
  });
});

describe('the Kafka message of a record', () => {
  const [e] = chain(1);
  const asReceived = (m: ReturnType<typeof toKafkaMessage>, offset = '0') => ({
    key: Buffer.from(String(m.key)), value: Buffer.from(String(m.value)), offset,
    headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))])),
  });

  it('carries the position as key and the hash in a header, and reads back the same record', () => {
    const m = toKafkaMessage(e);
    expect(m.key).toBe('1');
    expect(m.headers).toMatchObject({ 'twofold-hash': e.hash, 'twofold-epoch': '0' });
    expect(fromKafkaMessage(asReceived(m))).toEqual(e);
  });

  it('refuses what is not a record, with the offset', () => {
    const m = asReceived(toKafkaMessage(e), '41');
    expect(() => fromKafkaMessage({ ...m, value: Buffer.from('{nope') })).toThrow(/offset 41: not JSON/);
    expect(() => fromKafkaMessage({ ...m, value: null })).toThrow(KafkaRecordError);
    expect(() => fromKafkaMessage({ ...m, value: Buffer.from('{"position":1}') })).toThrow(/not a log record/);
    expect(() => fromKafkaMessage({ ...m, key: Buffer.from('2') })).toThrow(/key does not match/);
    expect(() => fromKafkaMessage({ ...m, headers: { 'twofold-hash': Buffer.from('0'.repeat(64)) } })).toThrow(/hash header/);
  });
});

describe('ChainVerifier across a promotion', () => {
  // The new master shares positions 1..3 with the old one, then writes its epoch-1 history.
  const common = chain(3);
  function extend(base: StoredEvent[], n: number, epoch: number, tag: string): StoredEvent[] {
    const out = [...base];
    for (let i = 0; i < n; i++) {
      const prev = out[out.length - 1];
      const e = { position: prev.position + 1, streamId: `${tag}-${i}`, streamVersion: 1, type: 'UserCreated', schemaVersion: 1, payload: { tag }, metadata: { actor: 'admin:1', nodeId: tag, epoch }, timestamp: '2026-12-01T00:00:00.000Z', prevHash: prev.hash };
      out.push({ ...e, hash: computeRecordHash(e) });
    }
    return out;
  }
  const oldMaster = extend(common, 2, 0, 'old');   // positions 4, 5: the divergent tail
  const newMaster = extend(common, 3, 1, 'new');   // positions 4, 5, 6 under epoch 1

  it('sets the old master\'s tail aside when the new epoch\'s record for its position arrives', () => {
    const v = new ChainVerifier();
    oldMaster.forEach((e) => expect(v.accept(e)).toBe('next'));
    // The promoted master republishes from 1: duplicates, then its own record at 4.
    expect(common.map((e) => v.accept(e))).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(v.accept(newMaster[3])).toBe('fork');
    expect(v.lastFork).toEqual({ fromPosition: 4, toPosition: 5, epoch: 0, newEpoch: 1 });
    expect(newMaster.slice(4).map((e) => v.accept(e))).toEqual(['next', 'next']);
    expect(v.position).toBe(6);
  });

  it('counts a promotion\'s ClusterEpochStarted (written under the old epoch) as the new epoch\'s first record', () => {
    const body = { position: 4, streamId: 'cluster', streamVersion: 2, type: 'ClusterEpochStarted', schemaVersion: 1, payload: { epoch: 1, masterNodeId: 'new', masterNodeName: 'new', at: '2026-12-01T00:00:00.000Z' }, metadata: { actor: 'admin:1', nodeId: 'new', epoch: 0 }, timestamp: '2026-12-01T00:00:00.000Z', prevHash: common[2].hash };
    const promoted = { ...body, hash: computeRecordHash(body) };
    const v = new ChainVerifier();
    oldMaster.forEach((e) => v.accept(e));
    expect(v.accept(promoted)).toBe('fork');
    expect(v.lastFork).toEqual({ fromPosition: 4, toPosition: 5, epoch: 0, newEpoch: 1 });
    // The old master's late record at 5 is stale now.
    expect(v.accept(oldMaster[4])).toBe('stale');
  });

  it('drops what a replaced master publishes late, and still refuses a forgery that does not link', () => {
    const v = new ChainVerifier();
    newMaster.forEach((e) => v.accept(e));
    expect(oldMaster.slice(3).map((e) => v.accept(e))).toEqual(['stale', 'stale']);
    const rogue = { ...newMaster[4], payload: { tag: 'rogue' }, metadata: { actor: 'admin:1', nodeId: 'rogue', epoch: 2 }, prevHash: 'e'.repeat(64) };
    expect(broken(() => v.accept({ ...rogue, hash: computeRecordHash(rogue) })).reason).toMatch(/second, different record/);
  });
});
