import { isEventStoreError, type EventLogRow, type LogHead, type ReplicaEventStore, type StoredEvent } from '@twofold/event-store';
import type { Message, RefuseMessage, WelcomeMessage } from '../protocol/messages';
import { ReplicationError } from '../replication-error';
import type { ReplicationLogger } from '../replication-logger';
import type { UpstreamOutbox } from '../storage/upstream-outbox';
import type { FrameSocket } from '../transport/frame-socket';
import { UpstreamPump } from './upstream-pump';

// What a session needs from its slave.
export interface SlaveSessionHost {
  readonly store: ReplicaEventStore;
  readonly logger: ReplicationLogger;
  readonly clusterId: string;
  readonly outbox?: UpstreamOutbox;
  readonly heartbeatMs?: number; // default: the master's
  readonly idleTimeoutMs?: number;
  readonly maxAppendRecords: number;
  readonly applyDelayMs: number;
  readonly applyIntervalMs: number;
  readonly maxUpstreamInFlight: number;
  readonly maxFrameBytes?: number;
  readonly upstreamOnly?: boolean; // the log comes from Kafka: a batch here is a protocol error
  epoch(): number;
  localHead(): LogHead;
  onWelcome(m: WelcomeMessage): void;
  onRefuse(m: RefuseMessage): void;
  onApplied(head: LogHead): void; // durable: before the ack goes out
  onAcked(head: LogHead): void; // after it did
  noteMasterHead(position: number): void;
  noteEpoch(epoch: number): void;
  onVerdict(id: string, refused: { code: string; field?: string } | null): void;
  onDelivered(ids: string[]): void;
}

// One connection to the master, after the dial: dispatches its frames, applies received batches
// (one durable append and one ack for everything queued), heartbeats, and pumps the outbox.
export class SlaveSession {
  welcomed = false;
  private canonicalText = false; // the master said so in its welcome: records come as textBatch
  private queue: Received[] = [];
  private applyLoop: Promise<void> | null = null;
  private heartbeat?: NodeJS.Timeout;
  private upstream?: UpstreamPump;
  private conn!: FrameSocket;
  private lastAppendAt = -Infinity; // performance.now() when the last durable append began

  constructor(private readonly host: SlaveSessionHost) {}

  // The socket is made after the session (its handlers call back here).
  attach(conn: FrameSocket): void {
    this.conn = conn;
  }

  get socket(): FrameSocket {
    return this.conn;
  }

  get isLive(): boolean {
    return this.welcomed && !this.conn.isClosed;
  }

  // Resolves once an append in progress has finished: the next hello must carry the true head.
  closed(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.queue = [];
    return this.applyLoop ?? Promise.resolve();
  }

  pumpUpstream(): void {
    if (this.welcomed && this.upstream) void this.upstream.pump();
  }

  handle(m: Message): void {
    switch (m.type) {
      case 'welcome':
        if (this.welcomed) return this.protocolError('second welcome');
        return this.onWelcome(m);
      case 'refuse':
        this.host.onRefuse(m);
        return this.conn.end();
      case 'batch':
      case 'textBatch':
        if (!this.welcomed) return this.protocolError(`${m.type} before welcome`);
        if (this.host.upstreamOnly) return this.protocolError('the master streams the log to a slave that reads it from Kafka (a master of an older release?)');
        if (m.type === 'textBatch' && !this.canonicalText) return this.protocolError('textBatch from a master that did not announce canonicalText');
        this.host.noteMasterHead(m.records[m.records.length - 1].position);
        this.queue.push(m.type === 'batch' ? { text: false, records: m.records } : { text: true, records: m.records });
        if (!this.applyLoop) this.applyLoop = this.applyQueued().finally(() => (this.applyLoop = null));
        return;
      case 'heartbeat':
        this.host.noteMasterHead(m.position);
        return this.host.noteEpoch(m.epoch);
      case 'epoch':
        return this.host.noteEpoch(m.epoch);
      case 'upstreamAck':
        return void this.upstream?.onAck(m.ids, m.refused ?? []);
      default:
        return this.protocolError(`unexpected ${m.type} from master`);
    }
  }

  private onWelcome(m: WelcomeMessage): void {
    if (m.clusterId !== this.host.clusterId) return this.protocolError(`master serves cluster ${m.clusterId}`);
    this.welcomed = true;
    this.canonicalText = m.canonicalText === true;
    const heartbeatMs = this.host.heartbeatMs ?? m.heartbeatMs;
    const idleTimeoutMs = this.host.idleTimeoutMs ?? heartbeatMs * 5;
    this.heartbeat = setInterval(() => {
      this.conn.ifSilentFor(idleTimeoutMs, () => this.conn.destroy(new ReplicationError('not_connected', `master silent for ${idleTimeoutMs} ms`)));
      if (!this.conn.needsDrain) this.conn.send({ type: 'heartbeat', position: this.host.localHead().position, sentAt: Date.now(), epoch: this.host.epoch() });
    }, heartbeatMs);
    this.heartbeat.unref();
    this.host.onWelcome(m);
    this.upstream = new UpstreamPump({
      outbox: this.host.outbox,
      logger: this.host.logger,
      maxInFlight: this.host.maxUpstreamInFlight,
      onVerdict: (id, refused) => this.host.onVerdict(id, refused),
      onDelivered: (ids) => this.host.onDelivered(ids),
    }, this.conn, m.upstreamBatch === true, this.host.maxFrameBytes);
    void this.upstream.pump();
  }

  // Every received batch goes through appendReplicated, which checks positions, links and hashes
  // before writing; the ack names only what is durable.
  private async applyQueued(): Promise<void> {
    const limit = this.host.maxAppendRecords;
    while (this.queue.length > 0 && !this.conn.isClosed) {
      const wait = this.holdOff(limit);
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        if (this.conn.isClosed) return;
      }
      const next = takeMerged(this.queue, limit);
      let head: LogHead;
      try {
        this.lastAppendAt = performance.now();
        head = await this.host.store.appendReplicated(next.records);
      } catch (err) {
        const code = isEventStoreError(err) ? err.code : 'error';
        this.host.logger.error({ code, err: (err as Error).message, first: next.records[0].position }, 'replication: received records rejected; reconnecting');
        this.conn.destroy(err as Error);
        return;
      }
      this.host.onApplied(head);
      this.conn.send({ type: 'ack', position: head.position });
      this.host.onAcked(head);
    }
  }

  // Live tail: a few milliseconds for the next commits to arrive (applyDelayMs), and at most one
  // durable append per applyIntervalMs, so under a steady stream one transaction, one fsync and
  // one ack cover several of the master's commits. Catching up, frames are big enough already.
  private holdOff(limit: number): number {
    let queued = 0;
    for (const r of this.queue) queued += r.records.length;
    if (queued >= limit / 4) return 0;
    const delay = this.queue.length === 1 ? this.host.applyDelayMs : 0;
    return Math.max(delay, this.lastAppendAt + this.host.applyIntervalMs - performance.now());
  }

  private protocolError(message: string): void {
    this.host.logger.warn({ err: message }, 'replication: protocol error from master');
    this.conn.destroy(new ReplicationError('protocol_error', message));
  }
}

// A received frame's records: decoded (batch) or as the master stores them (textBatch).
type Received = { text: false; records: StoredEvent[] } | { text: true; records: EventLogRow[] };

// The first queued frame and those after it of the same form, up to `limit` records in all.
function takeMerged(queue: Received[], limit: number): Received {
  const first = queue.shift()!;
  let records: Array<StoredEvent | EventLogRow> = first.records;
  while (queue.length > 0 && queue[0].text === first.text && records.length + queue[0].records.length <= limit) {
    records = records.concat(queue.shift()!.records);
  }
  return { text: first.text, records } as Received;
}
