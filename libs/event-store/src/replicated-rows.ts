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
    let payload: string;
    let metadata: string;
    try {
      payload = canonicalJson(r.payload);
      metadata = canonicalJson(r.metadata);
    } catch (err) {
      throw invalid(`replicated record ${i}: ${(err as Error).message}`);
    }
    if (hashFromCanonicalParts(r, payload, metadata) !== r.hash) throw chainMismatch(`record at ${r.position}: hash mismatch`, r.position);
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
