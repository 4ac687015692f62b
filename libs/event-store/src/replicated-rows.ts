import type { EventLogRow } from './event-log.entity';
import type { StoredEvent } from './event-store';
import { canonicalJson } from './canonical-json';
import { hashFromCanonicalParts } from './record-hash';
import { chainMismatch, checkReplicatedShape, invalid } from './record-shape';

// Records from a master, checked and turned into rows: contiguous positions, each prev_hash the
// hash before it, each hash recomputed. Payload and metadata are encoded to canonical JSON once;
// the hash is taken over those same texts (what the row stores).
export function verifiedRows(records: StoredEvent[]): EventLogRow[] {
  const rows = new Array<EventLogRow>(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    checkReplicatedShape(r, i);
    if (i > 0 && r.position !== records[i - 1].position + 1) {
      throw chainMismatch(`record ${i} has position ${r.position}, expected ${records[i - 1].position + 1}`, r.position);
    }
    if (i > 0 && r.prevHash !== records[i - 1].hash) throw chainMismatch(`record at ${r.position}: prev_hash does not link`, r.position);
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
    rows[i] = {
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
  return rows;
}

function stringifiedOrNull(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null; // circular, bigint: the full encoder says what is wrong
  }
}
