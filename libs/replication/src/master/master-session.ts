import type { EventLogRow, EventStore, StoredEvent } from '@twofold/event-store';
import type { AckMessage, HeartbeatMessage, Message, UpstreamItem, UpstreamRefusalEntry } from '../protocol/messages';
import type { PeerIdentity } from './peer-identity';
import { serializeBatches, serializeTextRows, type RecordForm, type SerializedBatch } from '../protocol/serializer';
import { ReplicationError } from '../replication-error';
import type { ReplicationLogger } from '../replication-logger';
import type { FrameSocket } from '../transport/frame-socket';
import { Signal } from '../transport/signal';

export interface SlaveStatus {
  nodeId: string;
  nodeName: string;
  remoteAddress: string;
  connectedAt: Date;
  lastHeartbeatAt: Date | null; // last frame of any kind from the slave
  ackedPosition: number; // durable on the slave
  sentPosition: number; // written to its socket
  inFlight: number; // sent - acked; never above maxInFlight
  maxInFlight: number;
  lagEvents: number; // master head - acked
  lagMs: number; // age of the oldest record the slave has not acknowledged (0 when caught up)
  bufferedBytes: number; // bytes queued in the socket
  upstreamOnly: boolean; // reads the log from Kafka; its position is the one its heartbeats report
}

// The master's tuning knobs, resolved from its options (defaults applied) once.
export interface SessionSettings {
  readonly batchSize: number;
  readonly maxInFlight: number;
  readonly heartbeatMs: number;
  readonly idleTimeoutMs: number;
  readonly stallTimeoutMs: number;
  readonly maxFrameBytes: number;
}

// What a session needs from its master.
export interface SessionHost {
  readonly store: EventStore;
  readonly logger: ReplicationLogger;
  readonly settings: SessionSettings;
  readonly nodeId: string;
  epoch(): number;
  knownHead(): number;
  onAck(session: MasterSession): void;
  onPeerEpoch(epoch: number, nodeId: string): void;
  // Resolves with the refusal when a domain rule refused the event (nothing appended).
  applyUpstream(nodeId: string, item: UpstreamItem): Promise<{ code: string; field?: string } | undefined>;
  stillAllowed(session: MasterSession): Promise<boolean>;
  onSessionClosed(session: MasterSession): void;
}

const MAX_UPSTREAM_QUEUED = 1000;

// One accepted slave: streams from its position under an in-flight cap, tracks its acks,
// heartbeats, and applies its upstream messages in order.
export class MasterSession {
  readonly connectedAt = new Date();
  readonly signal = new Signal(); // acks, appends, drain, close
  private acked: number;
  private sent: number;
  private inFlightBatches: Array<{ lastPosition: number; firstTimestampMs: number }> = [];
  private behindSince: number | null = null;
  private lastHeartbeatAt: Date | null = null;
  private lastEpochSent: number;
  private heartbeatTimer?: NodeJS.Timeout;
  private upstreamChain: Promise<void> = Promise.resolve();
  private upstreamQueued = 0;
  private closed = false;
  private live = false; // caught up: the master's fan-out writes each commit as it happens
  private stalledSince: number | null = null; // window full and no ack since

  readonly nodeId: string;
  readonly nodeName: string;

  constructor(
    private readonly host: SessionHost,
    readonly conn: FrameSocket,
    readonly peer: PeerIdentity, // as admitted by the handshake (certificate and claimed node)
    startPosition: number,
    readonly upstreamOnly = false, // the slave reads the log from Kafka: nothing is streamed to it
    readonly form: RecordForm = 'objects', // 'text' when its hello said canonicalText
  ) {
    this.nodeId = peer.nodeId;
    this.nodeName = peer.nodeName;
    this.acked = startPosition;
    this.sent = startPosition;
    this.lastEpochSent = host.epoch();
  }

  get ackedPosition(): number {
    return this.acked;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  start(): void {
    this.heartbeatTimer = setInterval(() => this.tick(), this.host.settings.heartbeatMs);
    this.heartbeatTimer.unref();
    if (!this.upstreamOnly) void this.pump();
  }

  close(reason: string, err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.signal.notify();
    this.host.logger.info({ nodeId: this.nodeId, acked: this.acked, reason }, 'replication: slave session closed');
    this.conn.destroy(err);
    this.host.onSessionClosed(this);
  }

  handle(message: Message): void {
    this.lastHeartbeatAt = new Date();
    switch (message.type) {
      case 'ack':
        return this.onAck(message);
      case 'heartbeat':
        return this.onHeartbeat(message);
      case 'epoch':
        return this.host.onPeerEpoch(message.epoch, this.nodeId);
      case 'upstream': {
        const { type: _type, ...item } = message;
        return this.onUpstream([item]);
      }
      case 'upstreamBatch':
        return this.onUpstream(message.items);
      default:
        this.protocolError(`unexpected ${message.type} after the handshake`);
    }
  }

  status(now = Date.now()): SlaveStatus {
    const head = Math.max(this.host.knownHead(), this.sent);
    let lagMs = 0;
    if (this.inFlightBatches.length > 0) lagMs = Math.max(0, now - this.inFlightBatches[0].firstTimestampMs);
    else if (head > this.acked && this.behindSince !== null) lagMs = now - this.behindSince;
    return {
      nodeId: this.nodeId,
      nodeName: this.nodeName,
      remoteAddress: this.conn.socket.remoteAddress ?? '',
      connectedAt: this.connectedAt,
      lastHeartbeatAt: this.lastHeartbeatAt,
      ackedPosition: this.acked,
      sentPosition: this.sent,
      inFlight: this.sent - this.acked,
      maxInFlight: this.host.settings.maxInFlight,
      lagEvents: Math.max(0, head - this.acked),
      lagMs,
      bufferedBytes: this.conn.bufferedBytes,
      upstreamOnly: this.upstreamOnly,
    };
  }

  // Live: the master's fan-out hands over each commit's records already framed. Written at once
  // when they continue what was sent and fit the window; otherwise the session falls back to
  // catching up from the log (the pump), exactly as after a reconnect, and the master moves on.
  offer(records: StoredEvent[], shared: (form: RecordForm) => SerializedBatch[]): void {
    if (this.closed) return;
    if (!this.live) return this.signal.notify();
    const last = records[records.length - 1].position;
    if (last <= this.sent) return;
    const fresh = records[0].position === this.sent + 1 ? records : records.filter((r) => r.position > this.sent);
    if (fresh[0].position !== this.sent + 1 || this.sent - this.acked + fresh.length > this.host.settings.maxInFlight) {
      this.live = false;
      return this.signal.notify();
    }
    this.writeBatches(fresh, fresh === records ? shared(this.form) : serializeBatches(fresh, this.host.settings.maxFrameBytes, this.form));
  }

  // Catching up: read after what was sent, as much as the window allows, write, and wait for the
  // socket to drain before reading more. Once nothing is left below the master's head the
  // session is live and the fan-out feeds it; the loop then only wakes to check.
  private async pump(): Promise<void> {
    const { store } = this.host;
    const { batchSize, maxInFlight, heartbeatMs } = this.host.settings;
    try {
      while (!this.closed) {
        if (this.live) {
          await this.signal.wait(heartbeatMs);
          continue;
        }
        const room = maxInFlight - (this.sent - this.acked);
        if (room <= 0) {
          await this.signal.wait(heartbeatMs);
          continue;
        }
        if (this.conn.needsDrain) {
          await this.conn.drained();
          continue;
        }
        if (this.sent >= this.host.knownHead()) {
          if (this.acked >= this.sent) this.behindSince = null;
          this.live = true;
          continue;
        }
        const limit = Math.min(batchSize, room);
        // Text frames carry the stored text: rows go out as read, never decoded here.
        const rows = this.form === 'text' && store.readRowsFrom ? await store.readRowsFrom(this.sent, limit) : null;
        const records = rows ?? (await store.readFrom(this.sent, limit));
        if (this.closed) return;
        const fresh = records.filter((r) => r.position > this.sent);
        if (fresh.length === 0) {
          this.live = true; // the log holds nothing more yet: the fan-out brings it
          continue;
        }
        const { maxFrameBytes } = this.host.settings;
        this.writeBatches(fresh, rows ? serializeTextRows(fresh as EventLogRow[], maxFrameBytes) : serializeBatches(fresh as StoredEvent[], maxFrameBytes, this.form));
      }
    } catch (err) {
      if (this.closed) return;
      this.host.logger.error({ nodeId: this.nodeId, err: (err as Error).message }, 'replication: streaming to slave failed');
      this.close('stream error', err as Error);
    }
  }

  private writeBatches(records: ReadonlyArray<{ timestamp: string }>, batches: SerializedBatch[]): void {
    if (this.behindSince === null) this.behindSince = Date.now();
    let i = 0;
    for (const b of batches) {
      this.conn.write(b.frame);
      this.inFlightBatches.push({ lastPosition: b.lastPosition, firstTimestampMs: Date.parse(records[i].timestamp) });
      i += b.count;
      this.sent = b.lastPosition;
    }
  }

  private onAck(m: AckMessage): void {
    if (this.upstreamOnly) return; // nothing was sent on this session
    if (m.position > this.sent) return this.protocolError(`ack for ${m.position} beyond what was sent (${this.sent})`);
    if (m.position <= this.acked) return;
    this.acked = m.position;
    this.stalledSince = null;
    if (this.acked >= this.sent) this.behindSince = null;
    while (this.inFlightBatches.length > 0 && this.inFlightBatches[0].lastPosition <= m.position) this.inFlightBatches.shift();
    this.signal.notify();
    this.host.onAck(this);
  }

  private onHeartbeat(m: HeartbeatMessage): void {
    // A slave reading the log from Kafka reports its durable head here (for status only).
    if (this.upstreamOnly && m.position > this.acked) this.acked = Math.min(m.position, Math.max(this.host.knownHead(), this.acked));
    if (m.epoch > this.host.epoch()) this.host.onPeerEpoch(m.epoch, this.nodeId);
  }

  // One upstream frame (one event from an older slave, or a batch) is applied in order, each
  // event through the master's one-at-a-time upstream path, and answered with one upstreamAck.
  private onUpstream(items: UpstreamItem[]): void {
    this.upstreamQueued += items.length;
    if (this.upstreamQueued > MAX_UPSTREAM_QUEUED) return this.protocolError('too many unacknowledged upstream messages');
    this.upstreamChain = this.upstreamChain.then(async () => {
      if (this.closed) return;
      const ids: string[] = [];
      const refusals: UpstreamRefusalEntry[] = [];
      try {
        if (!(await this.host.stillAllowed(this))) return;
        for (const item of items) {
          let refused: { code: string; field?: string } | undefined;
          try {
            refused = await this.host.applyUpstream(this.nodeId, item);
          } catch (err) {
            // Transient by contract: the slave keeps the event and sends it again after reconnecting.
            this.host.logger.warn({ nodeId: this.nodeId, upstreamId: item.id, kind: item.kind, err: (err as Error).message }, 'replication: upstream event not applied');
            this.close('upstream failed');
            return;
          }
          ids.push(item.id);
          if (refused) refusals.push({ id: item.id, ...refused });
          if (this.closed) return;
        }
      } finally {
        this.upstreamQueued -= items.length;
      }
      this.conn.send({ type: 'upstreamAck', ids, ...(refusals.length > 0 ? { refused: refusals } : {}) });
    });
  }

  private tick(): void {
    if (this.closed) return;
    this.conn.ifSilentFor(this.host.settings.idleTimeoutMs, () => {
      if (this.closed) return;
      this.host.logger.warn({ nodeId: this.nodeId }, 'replication: slave silent for too long, closing');
      this.close('idle timeout');
    });
    // A slave that stops reading holds one window, no more; if it stays there, its session ends
    // and it reconnects and catches up from its durable head.
    if (this.sent - this.acked >= this.host.settings.maxInFlight || this.conn.needsDrain) {
      this.stalledSince ??= Date.now();
      if (Date.now() - this.stalledSince > this.host.settings.stallTimeoutMs) {
        this.host.logger.warn({ nodeId: this.nodeId, acked: this.acked, sent: this.sent }, 'replication: slave stalled at its in-flight cap; closing, it reconnects and catches up');
        this.close('stalled');
        return;
      }
    } else this.stalledSince = null;
    // A slave that stops reading gets no more heartbeats queued either.
    if (this.conn.needsDrain) return;
    const epoch = this.host.epoch();
    if (epoch !== this.lastEpochSent) {
      this.conn.send({ type: 'epoch', epoch, nodeId: this.host.nodeId });
      this.lastEpochSent = epoch;
    }
    this.conn.send({ type: 'heartbeat', position: Math.max(this.host.knownHead(), this.sent), sentAt: Date.now(), epoch });
    this.signal.notify();
  }

  private protocolError(message: string): void {
    this.host.logger.warn({ nodeId: this.nodeId, err: message }, 'replication: protocol error from slave');
    this.conn.send({ type: 'refuse', reason: 'protocol_error', message });
    this.close('protocol error', new ReplicationError('protocol_error', message));
  }
}
