import type { Message } from 'kafkajs';
import type { StoredEvent } from '@twofold/event-store';

export const HEADER_HASH = 'twofold-hash';
export const HEADER_PREV_HASH = 'twofold-prev-hash';
export const HEADER_EPOCH = 'twofold-epoch';
export const HEADER_FORMAT = 'twofold-format';
export const HEADER_CLUSTER = 'twofold-cluster';
export const RECORD_FORMAT = 'stored-event/1';

export class KafkaRecordError extends Error {
  readonly code = 'kafka_bad_record';
}

// Key = position (decimal), value = the StoredEvent as JSON (the `log export` line), hash in a header.
// The cluster id header lets a following slave refuse another cluster's log.
export function toKafkaMessage(e: StoredEvent, clusterId?: string): Message {
  const headers: Record<string, string> = { [HEADER_HASH]: e.hash, [HEADER_PREV_HASH]: e.prevHash, [HEADER_EPOCH]: String(e.metadata.epoch ?? 0), [HEADER_FORMAT]: RECORD_FORMAT };
  if (clusterId) headers[HEADER_CLUSTER] = clusterId;
  return { key: String(e.position), value: JSON.stringify(e), headers };
}

export function clusterOf(m: { headers?: Record<string, unknown> }): string | undefined {
  return header(m.headers, HEADER_CLUSTER);
}

const HEX64 = /^[0-9a-f]{64}$/;

// The epoch a record belongs to. A promotion's ClusterEpochStarted is written by the promoted node
// while its metadata still carries the old epoch: it opens the new one, so it counts as the new one
// (otherwise a consumer could not tell it from the replaced master's record at the same position).
export function recordEpoch(e: StoredEvent): number {
  const meta = Number(e.metadata?.epoch ?? 0) || 0;
  if (e.type !== 'ClusterEpochStarted') return meta;
  return Math.max(meta, Number((e.payload as { epoch?: unknown }).epoch ?? 0) || 0);
}

function header(h: Record<string, unknown> | undefined, name: string): string | undefined {
  const v = h?.[name];
  if (v === undefined) return undefined;
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

// A message from the topic back to a record; anything malformed is a KafkaRecordError naming the offset.
export function fromKafkaMessage(m: { key: Buffer | null; value: Buffer | null; headers?: Record<string, unknown>; offset: string }): StoredEvent {
  const where = `offset ${m.offset}`;
  if (!m.value) throw new KafkaRecordError(`${where}: empty message`);
  let e: StoredEvent;
  try {
    e = JSON.parse(m.value.toString('utf8')) as StoredEvent;
  } catch {
    throw new KafkaRecordError(`${where}: not JSON`);
  }
  if (typeof e !== 'object' || e === null || !Number.isSafeInteger(e.position) || e.position < 1 || typeof e.hash !== 'string' || !HEX64.test(e.hash)
    || typeof e.prevHash !== 'string' || !HEX64.test(e.prevHash) || typeof e.type !== 'string' || typeof e.streamId !== 'string'
    || typeof e.payload !== 'object' || e.payload === null || typeof e.metadata !== 'object' || e.metadata === null) {
    throw new KafkaRecordError(`${where}: not a log record`);
  }
  if (m.key?.toString('utf8') !== String(e.position)) throw new KafkaRecordError(`${where}: key does not match position ${e.position}`);
  const h = header(m.headers, HEADER_HASH);
  if (h !== undefined && h !== e.hash) throw new KafkaRecordError(`${where}: hash header does not match the record`);
  return e;
}
