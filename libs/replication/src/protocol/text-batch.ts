import { canonicalTextOf, type EventLogRow, type StoredEvent } from '@twofold/event-store';

// The textBatch frame (to slaves that said canonicalText in their hello): each record as one
// array, payload and metadata as the canonical JSON text the master stores and hashed, so the
// slave checks the hash over that text and stores it without encoding anything again:
//   {"records":[[position, streamId, streamVersion, type, schemaVersion, timestamp, prevHash,
//                hash, payload, metadata], ...]}
// Field order never changes; a new field would be a new capability.
const FIELDS = 10;

export function textRecordJson(r: StoredEvent): string {
  const text = canonicalTextOf(r);
  return JSON.stringify([r.position, r.streamId, r.streamVersion, r.type, r.schemaVersion, r.timestamp, r.prevHash, r.hash, text.payload, text.metadata]);
}

// The same array from a row as stored (catching up: read and sent on, never decoded).
export function textRowJson(r: EventLogRow): string {
  return JSON.stringify([r.position, r.streamId, r.streamVersion, r.type, r.schemaVersion, r.timestamp, r.prevHash, r.hash, r.payload, r.metadata]);
}

// Wire arrays to rows; null when one is not an array of the right field types (a protocol error).
// Positions, links and hashes are the replica store's to check.
export function rowsFromWire(records: unknown): EventLogRow[] | null {
  if (!Array.isArray(records) || records.length === 0) return null;
  const rows = new Array<EventLogRow>(records.length);
  for (let i = 0; i < records.length; i++) {
    const a: unknown = records[i];
    if (!Array.isArray(a) || a.length !== FIELDS) return null;
    // Indexed reads, not array destructuring (which walks the iterator protocol per record).
    const f = a as unknown[];
    const position = f[0], streamId = f[1], streamVersion = f[2], type = f[3], schemaVersion = f[4];
    const timestamp = f[5], prevHash = f[6], hash = f[7], payload = f[8], metadata = f[9];
    if (typeof position !== 'number' || typeof streamVersion !== 'number' || typeof schemaVersion !== 'number') return null;
    if (typeof streamId !== 'string' || typeof type !== 'string' || typeof timestamp !== 'string') return null;
    if (typeof prevHash !== 'string' || typeof hash !== 'string' || typeof payload !== 'string' || typeof metadata !== 'string') return null;
    rows[i] = { position, streamId, streamVersion, type, schemaVersion, payload, metadata, timestamp, prevHash, hash };
  }
  return rows;
}
