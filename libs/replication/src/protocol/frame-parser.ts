import { ReplicationError } from '../replication-error';
import { messageTypeOf, validateMessage, type Message } from './messages';

// Frame: u32 big-endian length of what follows, u8 message code, JSON body (UTF-8).
export const HEADER_BYTES = 5;
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

// Incremental parser in the style of pg-protocol: one growable buffer, bytes appended as chunks
// arrive, whole frames cut off the front. A frame's length is checked against the limit as soon
// as its header is in, so an oversized frame is refused before any of its body is kept.
export class FrameParser {
  private buffer: Buffer = Buffer.alloc(0);
  private start = 0; // first unread byte
  private end = 0; // one past the last buffered byte
  private failed = false;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  // Bytes held for an incomplete frame (bounded by maxFrameBytes + header).
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  // Messages completed by this chunk, in order. Throws ReplicationError (protocol_error or
  // frame_too_large); after that the parser refuses everything, as the connection is done.
  push(chunk: Buffer): Message[] {
    if (this.failed) throw new ReplicationError('protocol_error', 'parser already failed');
    try {
      this.append(chunk);
      const out: Message[] = [];
      while (this.end - this.start >= HEADER_BYTES) {
        const length = this.buffer.readUInt32BE(this.start);
        if (length < 1) throw new ReplicationError('protocol_error', 'frame length 0');
        if (length > this.maxFrameBytes) {
          throw new ReplicationError('frame_too_large', `frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`, { length });
        }
        // Check the code before waiting for the body: garbage fails fast.
        const code = this.buffer[this.start + 4];
        const type = messageTypeOf(code);
        if (!type) throw new ReplicationError('protocol_error', `unknown message code 0x${code.toString(16).padStart(2, '0')}`, { code });
        if (this.end - this.start < 4 + length) break;
        const bodyStart = this.start + HEADER_BYTES;
        const bodyEnd = this.start + 4 + length;
        let body: unknown;
        try {
          body = JSON.parse(this.buffer.toString('utf8', bodyStart, bodyEnd));
        } catch {
          throw new ReplicationError('protocol_error', `${type} body is not valid JSON`, { type });
        }
        this.start = bodyEnd;
        out.push(validateMessage(type, body));
      }
      if (this.start === this.end) this.start = this.end = 0;
      return out;
    } catch (err) {
      this.failed = true;
      this.buffer = Buffer.alloc(0);
      this.start = this.end = 0;
      throw err;
    }
  }

  private append(chunk: Buffer): void {
    const pending = this.end - this.start;
    if (pending === 0 && this.buffer.length < chunk.length) {
      // Common case: nothing held over. Copy, since the caller may reuse its chunk.
      this.buffer = Buffer.from(chunk);
      this.start = 0;
      this.end = chunk.length;
      return;
    }
    if (this.buffer.length - this.end >= chunk.length) {
      chunk.copy(this.buffer, this.end);
      this.end += chunk.length;
      return;
    }
    const needed = pending + chunk.length;
    if (needed <= this.buffer.length) {
      // Room once the consumed front is dropped.
      this.buffer.copy(this.buffer, 0, this.start, this.end);
    } else {
      let size = Math.max(this.buffer.length * 2, 16 * 1024);
      while (size < needed) size *= 2;
      const next = Buffer.allocUnsafe(size);
      this.buffer.copy(next, 0, this.start, this.end);
      this.buffer = next;
    }
    this.start = 0;
    this.end = pending;
    chunk.copy(this.buffer, this.end);
    this.end += chunk.length;
  }
}
