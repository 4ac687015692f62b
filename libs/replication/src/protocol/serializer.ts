import type { EventLogRow, StoredEvent } from '@twofold/event-store';
import { ReplicationError } from '../replication-error';
import { DEFAULT_MAX_FRAME_BYTES, HEADER_BYTES } from './frame-parser';
import { MessageCode, type Message, type MessageType } from './messages';
import { textRecordJson, textRowJson } from './text-batch';

export function encodeFrame(type: MessageType, json: string): Buffer {
  const bodyBytes = Buffer.byteLength(json, 'utf8');
  const frame = Buffer.allocUnsafe(HEADER_BYTES + bodyBytes);
  frame.writeUInt32BE(1 + bodyBytes, 0);
  frame[4] = MessageCode[type];
  frame.write(json, HEADER_BYTES, 'utf8');
  return frame;
}

export function serialize(message: Message): Buffer {
  const { type, ...body } = message;
  return encodeFrame(type, JSON.stringify(body));
}

export interface SerializedBatch {
  frame: Buffer;
  count: number; // records in it
  lastPosition: number;
}

// 'objects': batch frames (every release reads them); 'text': textBatch frames, payload and
// metadata as their canonical text (slaves that said canonicalText in their hello).
export type RecordForm = 'objects' | 'text';

// Batches are built from records encoded once each, cut so no frame exceeds maxFrameBytes.
// Returns the frames and how many records each carries.
export function serializeBatches(records: StoredEvent[], maxFrameBytes = DEFAULT_MAX_FRAME_BYTES, form: RecordForm = 'objects'): SerializedBatch[] {
  return form === 'text' ? framed('textBatch', records, textRecordJson, maxFrameBytes) : framed('batch', records, (r) => JSON.stringify(r), maxFrameBytes);
}

// textBatch frames from rows as stored (payload and metadata already canonical text).
export function serializeTextRows(rows: EventLogRow[], maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): SerializedBatch[] {
  return framed('textBatch', rows, textRowJson, maxFrameBytes);
}

function framed<R extends { position: number }>(type: 'batch' | 'textBatch', records: R[], encode: (r: R) => string, maxFrameBytes: number): SerializedBatch[] {
  const limit = maxFrameBytes - 64;
  const out: SerializedBatch[] = [];
  let parts: string[] = [];
  let size = 0;
  let last = 0;
  const flush = (): void => {
    if (parts.length === 0) return;
    out.push({ frame: encodeFrame(type, `{"records":[${parts.join(',')}]}`), count: parts.length, lastPosition: last });
    parts = [];
    size = 0;
  };
  for (const r of records) {
    const json = encode(r);
    const bytes = Buffer.byteLength(json, 'utf8') + 1;
    if (bytes > limit) {
      throw new ReplicationError('frame_too_large', `record at position ${r.position} does not fit in one frame`, { position: r.position });
    }
    if (size + bytes > limit) flush();
    parts.push(json);
    size += bytes;
    last = r.position;
  }
  flush();
  return out;
}
