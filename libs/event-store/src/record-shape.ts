import { canonicalJson } from './canonical-json';
import { rememberRow } from './canonical-text';
import type { EventLogRow } from './event-log.entity';
import type { EventMetadata, LogHead, NewEvent, StoredEvent } from './event-store';
import { EventStoreError } from './event-store-error';

// Rows to records and back, and the shape checks every append makes before anything is written.
const MAX_NAME = 200;

export function toStoredEvent(row: EventLogRow): StoredEvent {
  const record: StoredEvent = {
    position: row.position,
    streamId: row.streamId,
    streamVersion: row.streamVersion,
    type: row.type,
    schemaVersion: row.schemaVersion,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    timestamp: row.timestamp,
    prevHash: row.prevHash,
    hash: row.hash,
  };
  rememberRow(record, row);
  return record;
}

export type EncodedEvent = { type: string; schemaVersion: number; payload: string; metadata: string };

// An append's events; one metadata object shared by several of them is encoded once.
export function encodeNewEvents(events: NewEvent[]): EncodedEvent[] {
  const out: EncodedEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    const before = i > 0 ? events[i - 1] : undefined;
    out.push(encodeNewEvent(events[i], i, before && before.metadata === events[i]?.metadata ? out[i - 1].metadata : undefined));
  }
  return out;
}

// metadataText: the canonical text of e.metadata, already encoded.
export function encodeNewEvent(e: NewEvent, i: number, metadataText?: string): EncodedEvent {
  if (!e || typeof e !== 'object') throw invalid(`event ${i} is not an object`);
  checkName(`event ${i} type`, e.type);
  if (!Number.isInteger(e.schemaVersion) || e.schemaVersion < 1) throw invalid(`event ${i} schemaVersion must be an integer >= 1`);
  if (!isPlainObject(e.payload)) throw invalid(`event ${i} payload must be an object`);
  const m = e.metadata;
  if (!isPlainObject(m) || typeof m.actor !== 'string' || !m.actor || typeof m.nodeId !== 'string' || !m.nodeId) {
    throw invalid(`event ${i} metadata needs actor and nodeId`);
  }
  if (!Number.isInteger(m.epoch) || m.epoch < 0) throw invalid(`event ${i} metadata.epoch must be an integer >= 0`);
  try {
    return { type: e.type, schemaVersion: e.schemaVersion, payload: canonicalJson(e.payload), metadata: metadataText ?? canonicalJson(m) };
  } catch (err) {
    throw invalid(`event ${i}: ${(err as Error).message}`);
  }
}

export function checkReplicatedShape(r: StoredEvent, i: number): void {
  if (!hasReplicatedHeader(r) || !isPlainObject(r.payload) || !isPlainObject(r.metadata)) throw invalid(`replicated record ${i} is malformed`);
}

// The same for a record whose payload and metadata are still their JSON text (decoded after the
// hash over that text is checked).
export function checkReplicatedRowShape(r: EventLogRow, i: number): void {
  if (!hasReplicatedHeader(r) || typeof r.payload !== 'string' || typeof r.metadata !== 'string') throw invalid(`replicated record ${i} is malformed`);
}

function hasReplicatedHeader(r: Omit<EventLogRow, 'payload' | 'metadata'>): boolean {
  return !!r && typeof r === 'object' &&
    Number.isInteger(r.position) && r.position >= 1 &&
    typeof r.streamId === 'string' && r.streamId.length > 0 && r.streamId.length <= MAX_NAME &&
    Number.isInteger(r.streamVersion) && r.streamVersion >= 1 &&
    typeof r.type === 'string' && r.type.length > 0 && r.type.length <= MAX_NAME &&
    Number.isInteger(r.schemaVersion) &&
    typeof r.timestamp === 'string' && typeof r.prevHash === 'string' && typeof r.hash === 'string';
}

export function checkName(what: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME) {
    throw invalid(`${what} must be a non-empty string of at most ${MAX_NAME} characters`);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function invalid(message: string): EventStoreError {
  return new EventStoreError('invalid_append', message);
}

export function chainMismatch(message: string, position: number, head?: LogHead): EventStoreError {
  return new EventStoreError('chain_mismatch', message, { position, ...(head ? { head } : {}) });
}
