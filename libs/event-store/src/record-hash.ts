import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { StoredEvent } from './event-store';

export type HashedFields = Omit<StoredEvent, 'hash'>;

// hash = hex SHA-256 of canonicalJson({ metadata, payload, position, prevHash, schemaVersion,
// streamId, streamVersion, timestamp, type }).
export function computeRecordHash(record: HashedFields): string {
  return sha256Hex(
    canonicalJson({
      position: record.position,
      streamId: record.streamId,
      streamVersion: record.streamVersion,
      type: record.type,
      schemaVersion: record.schemaVersion,
      payload: record.payload,
      metadata: record.metadata,
      timestamp: record.timestamp,
      prevHash: record.prevHash,
    }),
  );
}

// Same bytes as computeRecordHash, built from payload and metadata that are already canonical
// JSON text (the form they are stored in), so the hot path encodes them only once.
export function hashFromCanonicalParts(
  f: Omit<HashedFields, 'payload' | 'metadata'>,
  payloadJson: string,
  metadataJson: string,
): string {
  return sha256Hex(
    `{"metadata":${metadataJson},"payload":${payloadJson},"position":${numberJson(f.position)}` +
      `,"prevHash":${stringJson(f.prevHash)},"schemaVersion":${numberJson(f.schemaVersion)}` +
      `,"streamId":${stringJson(f.streamId)},"streamVersion":${numberJson(f.streamVersion)}` +
      `,"timestamp":${stringJson(f.timestamp)},"type":${stringJson(f.type)}}`,
  );
}

// canonicalJson of a number, without the encoder's walk (three per record on the hot path).
function numberJson(n: number): string {
  if (Number.isSafeInteger(n)) return `${n}`; // what JSON.stringify writes for it, with less work
  if (typeof n !== 'number') return canonicalJson(n);
  if (!Number.isFinite(n)) throw new TypeError('canonicalJson: non-finite number at $');
  return JSON.stringify(n);
}

// Printable ASCII other than '"' and '\\': JSON.stringify writes such a string between quotes as
// it is. Hashes, timestamps, stream ids and event types are such strings; quoting them directly
// costs a tenth of JSON.stringify's call (four per record, on every append and every replicated
// record). Anything else (an escape, a control character, non-ASCII) goes through JSON.stringify.
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function stringJson(s: string): string {
  return typeof s === 'string' && PLAIN_ASCII.test(s) ? `"${s}"` : JSON.stringify(s);
}

// One-shot crypto.hash where Node has it (20.12+): no Hash object per record.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : createHash('sha256').update(text, 'utf8').digest('hex');
}
