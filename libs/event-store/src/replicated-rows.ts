import type { EventLogRow } from './event-log.entity';
import type { StoredEvent } from './event-store';
import { canonicalJson } from './canonical-json';
import { hashFromCanonicalParts } from './record-hash';
import { chainMismatch, checkReplicatedRowShape, checkReplicatedShape, invalid, isPlainObject } from './record-shape';

// Records from a master, checked and turned into rows: contiguous positions, each prev_hash the
// hash before it, each hash recomputed. Payload and metadata are encoded to canonical JSON once;
// the hash is taken over those same texts (what the row stores).
export function verifiedRows(records: StoredEvent[]): EventLogRow[] {
  const rows = new Array<EventLogRow>(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    checkReplicatedShape(r, i);
    checkLink(records, i);
    // A master sends payload and metadata parsed from their canonical text, so their keys are
    // already in canonical order and JSON.stringify (native, fast) writes the canonical text
    // again. The hash decides: it matches only if these are the bytes the master hashed. If it
    // does not (keys in another order, integer-like keys), the full encoder gets its turn.
    let payload = stringifiedOrNull(r.payload);
    let metadata = stringifiedOrNull(r.metadata);
    if (payload === null || metadata === null || hashFromCanonicalParts(r, payload, metadata) !== r.hash) {
      try {
        payload = canonicalJson(r.payload);
        metadata = canonicalJson(r.metadata);
      } catch (err) {
        throw invalid(`replicated record ${i}: ${(err as Error).message}`);
      }
      if (hashFromCanonicalParts(r, payload, metadata) !== r.hash) throw chainMismatch(`record at ${r.position}: hash mismatch`, r.position);
    }
    rows[i] = withBodies(r, payload, metadata);
  }
  return rows;
}

type RecordHead = Omit<EventLogRow, 'payload' | 'metadata'>;

// The record with these bodies: a literal of fixed shape, not a spread (one hidden class for
// every record, no generic copy).
function withBodies<P, M>(r: RecordHead, payload: P, metadata: M) {
  return {
    position: r.position,
    streamId: r.streamId,
    streamVersion: r.streamVersion,
    type: r.type,
    schemaVersion: r.schemaVersion,
    payload,
    metadata,
    timestamp: r.timestamp,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

function stringifiedOrNull(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null; // circular, bigint: the full encoder says what is wrong
  }
}

// Records from a master that sent payload and metadata as the canonical text it stores: the
// same checks, the hash taken over that text, which is then stored as it came (never encoded
// again). Each text must be a JSON object; the records are decoded from it once, for the read
// model and the store's subscribers. Records in a row with the same metadata text (one writer's
// appends) share one decoded metadata object: nothing changes a record's metadata once decoded.
export function verifiedTextRows(rows: EventLogRow[]): StoredEvent[] {
  const records = new Array<StoredEvent>(rows.length);
  let lastMetadataText: string | undefined;
  let lastMetadata: unknown;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    checkReplicatedRowShape(r, i);
    checkLink(rows, i);
    if (hashFromCanonicalParts(r, r.payload, r.metadata) !== r.hash) throw chainMismatch(`record at ${r.position}: hash mismatch`, r.position);
    let payload: unknown;
    let metadata: unknown;
    try {
      payload = JSON.parse(r.payload);
      metadata = r.metadata === lastMetadataText ? lastMetadata : JSON.parse(r.metadata);
      lastMetadataText = r.metadata;
      lastMetadata = metadata;
    } catch {
      throw invalid(`replicated record ${i}: payload or metadata is not JSON`);
    }
    if (!isPlainObject(payload) || !isPlainObject(metadata)) throw invalid(`replicated record ${i}: payload and metadata must be JSON objects`);
    records[i] = withBodies(r, payload, metadata as unknown as StoredEvent['metadata']);
  }
  return records;
}

function checkLink(records: ReadonlyArray<{ position: number; prevHash: string; hash: string }>, i: number): void {
  if (i === 0) return;
  const r = records[i];
  if (r.position !== records[i - 1].position + 1) {
    throw chainMismatch(`record ${i} has position ${r.position}, expected ${records[i - 1].position + 1}`, r.position);
  }
  if (r.prevHash !== records[i - 1].hash) throw chainMismatch(`record at ${r.position}: prev_hash does not link`, r.position);
}
