import type { StoredEvent } from '@twofold/event-store';
import { serializeBatches, type RecordForm, type SerializedBatch } from '../protocol/serializer';

// Frames for the records of one fan-out, each form serialized once, only if a session asks for it.
export type SharedFrames = (form: RecordForm) => SerializedBatch[];

// What the head watch delivers, handed to every session together: on the next turn of the event
// loop (one commit or several), or, right after a fan-out, once intervalMs has passed since it, so
// under a stream of small commits each slave gets one frame (one TLS record, one write) per
// interval rather than one per commit. Nothing here waits for any slave.
export class FanOut {
  private tail: StoredEvent[] = []; // committed, not yet handed to the sessions
  private scheduled = false;
  private lastAt = -Infinity; // performance.now() of the last fan-out

  constructor(
    private readonly intervalMs: number,
    private readonly maxFrameBytes: number,
    private readonly deliver: (records: StoredEvent[], shared: SharedFrames) => void,
  ) {}

  push(record: StoredEvent): void {
    this.tail.push(record);
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastAt + this.intervalMs - performance.now();
    if (wait <= 0) setImmediate(() => this.run());
    else setTimeout(() => this.run(), wait).unref();
  }

  private run(): void {
    this.scheduled = false;
    this.lastAt = performance.now();
    const records = this.tail;
    this.tail = [];
    if (records.length === 0) return;
    const frames = new Map<RecordForm, SerializedBatch[]>();
    this.deliver(records, (form) => {
      let f = frames.get(form);
      if (!f) frames.set(form, (f = serializeBatches(records, this.maxFrameBytes, form)));
      return f;
    });
  }
}
