import { canonicalJson } from './canonical-json';
import type { EventLogRow } from './event-log.entity';
import type { StoredEvent } from './event-store';

// The row a record was decoded from, for records this process read from its own log: its payload
// and metadata text is what the record's hash covers, so a master can send that text as is.
const rowOf = new WeakMap<StoredEvent, EventLogRow>();

export function rememberRow(record: StoredEvent, row: EventLogRow): void {
  rowOf.set(record, row);
}

// Payload and metadata as canonical JSON text: the stored text when this process decoded the
// record, otherwise encoded again (the same bytes for any record whose hash holds).
export function canonicalTextOf(record: StoredEvent): { payload: string; metadata: string } {
  return rowOf.get(record) ?? { payload: canonicalJson(record.payload), metadata: canonicalJson(record.metadata) };
}
