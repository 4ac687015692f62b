import { GENESIS_HASH, type StoredEvent } from '@twofold/event-store';
import { isReplicationError, type ReplicationError } from '../replication-error';
import { FrameParser } from './frame-parser';
import { MessageCode, type HelloMessage, type Message } from './messages';
import { encodeFrame, serialize, serializeBatches } from './serializer';

const hello: HelloMessage = {
  type: 'hello',
  protocolVersion: 1,
  clusterId: 'c-1',
  nodeId: 'n-1',
  nodeName: 'slave-1',
  epoch: 0,
  head: { position: 0, hash: GENESIS_HASH },
};

function record(position: number, extra = ''): StoredEvent {
  return {
    position,
    streamId: 'user-1',
    streamVersion: position,
    type: 'Tick',
    schemaVersion: 1,
    payload: { n: position, extra, text: 'ünïcødé ✓' },
    metadata: { actor: 'system', nodeId: 'n-0', epoch: 0 },
    timestamp: '2025-01-01T00:00:00.000Z',
    prevHash: GENESIS_HASH,
    hash: 'a'.repeat(64),
  };
}

function failure(fn: () => unknown): ReplicationError {
  try {
    fn();
  } catch (err) {
    if (isReplicationError(err)) return err;
    throw err;
  }
  throw new Error('expected a ReplicationError');
}

describe('FrameParser', () => {
  it('reads a frame delivered one byte at a time', () => {
    const sut = new FrameParser();
    const bytes = serialize(hello);
    const out: Message[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...sut.push(bytes.subarray(i, i + 1)));
    expect(out).toEqual([hello]);
    expect(sut.bufferedBytes).toBe(0);
  });

  it('reads several frames from one chunk, and a frame split across chunk boundaries', () => {
    const sut = new FrameParser();
    const frames = [
      serialize(hello),
      serialize({ type: 'ack', position: 7 }),
      serialize({ type: 'heartbeat', position: 7, sentAt: 1700000000000, epoch: 2 }),
      ...serializeBatches([record(1), record(2)]).map((b) => b.frame),
    ];
    const all = Buffer.concat(frames);
    // Every split point of the stream into two chunks yields the same messages.
    for (let cut = 0; cut <= all.length; cut += 7) {
      const parser = new FrameParser();
      const out = [...parser.push(all.subarray(0, cut)), ...parser.push(all.subarray(cut))];
      expect(out.map((m) => m.type)).toEqual(['hello', 'ack', 'heartbeat', 'batch']);
      expect(out[3]).toEqual({ type: 'batch', records: [record(1), record(2)] });
    }
    expect(sut.push(all)).toHaveLength(4);
  });

  it('keeps partial data buffered until the frame is complete, reusing the caller chunk safely', () => {
    const sut = new FrameParser();
    const bytes = serialize({ type: 'upstream', id: 'u-1', kind: 'FailedAttempt', payload: { userId: 'alice' } });
    const chunk = Buffer.from(bytes.subarray(0, 10));
    expect(sut.push(chunk)).toEqual([]);
    chunk.fill(0); // caller reuses its buffer
    expect(sut.bufferedBytes).toBe(10);
    expect(sut.push(bytes.subarray(10))).toEqual([{ type: 'upstream', id: 'u-1', kind: 'FailedAttempt', payload: { userId: 'alice' } }]);
  });

  it('refuses an oversized frame from its header alone, before buffering the body', () => {
    const sut = new FrameParser(1024);
    const header = Buffer.alloc(5);
    header.writeUInt32BE(1025, 0);
    header[4] = MessageCode.batch;
    const err = failure(() => sut.push(header));
    expect(err.code).toBe('frame_too_large');
    expect(sut.bufferedBytes).toBe(0);
  });

  it('treats a corrupt length (0, or garbage bytes read as a huge length) as an error', () => {
    expect(failure(() => new FrameParser().push(Buffer.from([0, 0, 0, 0, 1]))).code).toBe('protocol_error');
    expect(failure(() => new FrameParser().push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).code).toBe('frame_too_large');
  });

  it('rejects an unknown message type at once', () => {
    const frame = Buffer.from([0, 0, 0, 3, 0x7f, 0x7b, 0x7d]);
    const err = failure(() => new FrameParser().push(frame.subarray(0, 5)));
    expect(err.code).toBe('protocol_error');
    expect(err.message).toContain('unknown message code 0x7f');
  });

  it('rejects a body that is not JSON, not an object, or not the shape of its message', () => {
    expect(failure(() => new FrameParser().push(encodeFrame('ack', '{"position":'))).message).toContain('not valid JSON');
    expect(failure(() => new FrameParser().push(encodeFrame('ack', '[1]'))).code).toBe('protocol_error');
    expect(failure(() => new FrameParser().push(encodeFrame('ack', '{"position":-1}'))).message).toContain('malformed ack');
    expect(failure(() => new FrameParser().push(encodeFrame('hello', '{"protocolVersion":1}'))).code).toBe('protocol_error');
    expect(failure(() => new FrameParser().push(encodeFrame('batch', '{"records":[]}'))).code).toBe('protocol_error');
    const badHash = { ...hello, head: { position: 1, hash: 'zz' } };
    expect(failure(() => new FrameParser().push(serialize(badHash))).message).toContain('head');
  });

  it('reads the kinds a welcome lists, and refuses a welcome whose outcomeKinds is not a short list of names', () => {
    const welcome = { type: 'welcome', protocolVersion: 1, clusterId: 'c-1', nodeId: 'n-0', epoch: 0, head: { position: 0, hash: GENESIS_HASH }, heartbeatMs: 1000 };
    const read = (extra: Record<string, unknown>) => new FrameParser().push(encodeFrame('welcome', JSON.stringify({ ...welcome, ...extra })));
    expect(read({})[0]).not.toHaveProperty('outcomeKinds'); // an older master
    expect(read({ outcomeKinds: ['fraud', 'bypass_used'] })[0]).toMatchObject({ outcomeKinds: ['fraud', 'bypass_used'] });
    for (const bad of ['fraud', [1], ['x'.repeat(65)], Array.from({ length: 65 }, () => 'k')]) {
      expect(failure(() => read({ outcomeKinds: bad })).message).toContain('outcomeKinds');
    }
  });

  it('stays failed after an error: a broken stream cannot resynchronise into a valid one', () => {
    const sut = new FrameParser();
    failure(() => sut.push(Buffer.from([0, 0, 0, 1, 0xee])));
    expect(failure(() => sut.push(serialize(hello))).code).toBe('protocol_error');
  });
});

describe('serializeBatches', () => {
  it('cuts batches so no frame exceeds the limit, and the parser reads them back in order', () => {
    const records = Array.from({ length: 50 }, (_, i) => record(i + 1, 'x'.repeat(200)));
    const batches = serializeBatches(records, 2048);
    expect(batches.length).toBeGreaterThan(1);
    const parser = new FrameParser(2048);
    const got: StoredEvent[] = [];
    for (const b of batches) {
      expect(b.frame.length - 4).toBeLessThanOrEqual(2048);
      for (const m of parser.push(b.frame)) if (m.type === 'batch') got.push(...m.records);
    }
    expect(got).toEqual(records);
    expect(batches.at(-1)!.lastPosition).toBe(50);
  });

  it('refuses a single record larger than a frame', () => {
    expect(failure(() => serializeBatches([record(1, 'x'.repeat(5000))], 2048)).code).toBe('frame_too_large');
  });
});
