import { DEFAULT_MAX_FRAME_BYTES } from '../protocol/frame-parser';
import { MAX_UPSTREAM_BATCH, type UpstreamItem, type UpstreamRefusalEntry } from '../protocol/messages';
import { encodeFrame } from '../protocol/serializer';
import type { OutboxItem } from '../storage/upstream-outbox';
import type { ReplicationLogger } from '../replication-logger';
import type { UpstreamOutbox } from '../storage/upstream-outbox';
import type { FrameSocket } from '../transport/frame-socket';

export interface UpstreamPumpHost {
  readonly outbox?: UpstreamOutbox;
  readonly logger: ReplicationLogger;
  readonly maxInFlight: number;
  onVerdict(id: string, refused: { code: string; field?: string } | null): void;
  onDelivered(ids: string[]): void;
}

// Carries the outbox to the master on one connection: items in seq order, at most maxInFlight
// unacknowledged, as few frames as fit (one upstream frame per item to an older master),
// removed from the outbox on upstreamAck (one per frame). A new connection starts a new pump, so
// whatever is left is sent again (the master dedupes by id).
export class UpstreamPump {
  private sentSeq = 0;
  private readonly inFlight = new Set<string>();
  private pumping = false;
  private again = false;

  constructor(
    private readonly host: UpstreamPumpHost,
    private readonly conn: FrameSocket,
    private readonly batched: boolean, // the master's welcome said it reads upstreamBatch frames
    private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
  ) {}

  async pump(): Promise<void> {
    const outbox = this.host.outbox;
    if (!outbox || this.conn.isClosed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    const max = this.host.maxInFlight;
    try {
      do {
        this.again = false;
        while (!this.conn.isClosed && this.inFlight.size < max) {
          const items = await outbox.pending(this.sentSeq, max - this.inFlight.size);
          if (items.length === 0 || this.conn.isClosed) break;
          if (this.batched) {
            for (const frame of upstreamFrames(items, this.maxFrameBytes)) this.conn.write(frame);
          } else {
            for (const item of items) this.conn.send({ type: 'upstream', ...upstreamItem(item) });
          }
          for (const item of items) this.inFlight.add(item.id);
          this.sentSeq = items[items.length - 1].seq;
        }
      } while (this.again && !this.conn.isClosed);
    } catch (err) {
      this.host.logger.error({ err: (err as Error).message }, 'replication: reading the upstream outbox failed');
    } finally {
      this.pumping = false;
    }
  }

  async onAck(ids: string[], refused: UpstreamRefusalEntry[]): Promise<void> {
    const known = ids.filter((id) => this.inFlight.delete(id));
    for (const id of known) {
      const r = refused.find((x) => x.id === id);
      this.host.onVerdict(id, r ? { code: r.code, ...(r.field ? { field: r.field } : {}) } : null);
    }
    try {
      await this.host.outbox?.remove(known);
    } catch (err) {
      // Kept in the outbox: sent again after a reconnect, and the master dedupes it.
      this.host.logger.error({ err: (err as Error).message }, 'replication: removing delivered upstream events failed');
      return;
    }
    if (known.length > 0) this.host.onDelivered(known);
    void this.pump();
  }
}

// What goes on the wire for one outbox item, in a single frame or a batch alike.
function upstreamItem(item: OutboxItem): UpstreamItem {
  return { id: item.id, kind: item.kind, payload: item.payload };
}

// upstreamBatch frames of at most MAX_UPSTREAM_BATCH items, each within the frame limit.
export function upstreamFrames(items: OutboxItem[], maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): Buffer[] {
  const limit = maxFrameBytes - 64;
  const frames: Buffer[] = [];
  let parts: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (parts.length > 0) frames.push(encodeFrame('upstreamBatch', `{"items":[${parts.join(',')}]}`));
    parts = [];
    size = 0;
  };
  for (const item of items) {
    const json = JSON.stringify(upstreamItem(item));
    const bytes = Buffer.byteLength(json, 'utf8') + 1;
    if (parts.length >= MAX_UPSTREAM_BATCH || (parts.length > 0 && size + bytes > limit)) flush();
    parts.push(json);
    size += bytes;
  }
  flush();
  return frames;
}
