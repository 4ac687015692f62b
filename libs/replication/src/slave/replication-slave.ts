import { EventEmitter } from 'node:events';
import { GENESIS_HASH, type ReplicaEventStore } from '@twofold/event-store';
import type { LogPoint, RefuseMessage, RefuseReason, WelcomeMessage } from '../protocol/messages';
import { ReplicationError } from '../replication-error';
import { silentLogger, type ReplicationLogger } from '../replication-logger';
import type { UpstreamOutbox } from '../storage/upstream-outbox';
import { exponentialCheckpoints } from './checkpoints';
import { findCommonAncestor, type CommonAncestor } from './common-ancestor';
import { dial, helloFor, type DialOptions } from './dial';
import { SlaveSession } from './slave-session';

export type { CommonAncestor } from './common-ancestor';
export type { MasterPeer } from './dial';

// DialOptions: who we are, where the master is, how to trust it (verifyMaster: before anything is
// sent, the master's certificate must be the one recorded for the node this slave follows).
export interface ReplicationSlaveOptions extends DialOptions {
  store: ReplicaEventStore;
  reconnect?: { minMs: number; maxMs: number }; // backoff after any disconnect (default 200 ms .. 10 s)
  heartbeatMs?: number; // default: the master's, from its welcome
  idleTimeoutMs?: number; // drop a master silent this long (default 5 x heartbeat)
  connectTimeoutMs?: number; // TCP + TLS + welcome (default 10 s)
  maxAppendRecords?: number; // received batches merged into one durable append (default 10000)
  applyDelayMs?: number; // live tail: wait this long for more batches before one durable append (default 2)
  applyIntervalMs?: number; // live tail: at most one durable append (fsync, ack) per this many ms (default 5)
  maxUpstreamInFlight?: number; // outbox items sent and not yet acknowledged (default 100)
  logger?: ReplicationLogger;
  outbox?: UpstreamOutbox;
  // The log comes from elsewhere (Kafka): this connection carries only upstream security events,
  // heartbeats and epochs; the caller reports its durable head with noteLocalHead().
  upstreamOnly?: boolean;
  // Ask the master for textBatch frames (payload and metadata as its stored canonical text:
  // nothing parsed for the hash or encoded again here). Default true; false asks for batch
  // frames, as a slave of an earlier release does (benchmarks compare the two).
  canonicalText?: boolean;
}

export interface SlaveReplicationStatus {
  connected: boolean;
  masterNodeId: string | null;
  masterEpoch: number | null;
  masterHead: number; // highest master position heard of
  localHead: number; // durable here
  lagEvents: number;
  lagMs: number; // how long this node has been behind (while disconnected: since last contact)
  lastContactAt: Date | null;
  lastRefusal: { reason: RefuseReason | string; message: string; at: Date } | null;
}

export interface ReplicationSlaveEvents {
  // outcomeKinds: the upstream kinds the master reads (null: a master of an older release, which lists none).
  connected: [welcome: { masterNodeId: string; epoch: number; head: LogPoint; outcomeKinds: string[] | null }];
  disconnected: [reason: string];
  refused: [refusal: { reason: RefuseReason | string; message: string; ancestor?: RefuseMessage['ancestor']; head?: LogPoint; epoch?: number }];
  appended: [head: LogPoint];
  // A higher epoch than this node's own was seen (welcome, heartbeat, epoch notice or refusal).
  epochSeen: [epoch: number];
  upstreamDelivered: [ids: string[]];
  // The master's verdict on each delivered id: appended, or refused by a domain rule (code, field).
  upstreamVerdict: [id: string, refused: { code: string; field?: string } | null];
}

// The client side: dials the master, resumes from the local head, applies verified batches,
// acknowledges what is durable, heartbeats, carries the outbox upstream, and reconnects after
// any disconnect.
export class ReplicationSlave extends EventEmitter<ReplicationSlaveEvents> {
  private readonly logger: ReplicationLogger;
  private running = false;
  private loop?: Promise<void>;
  private current?: SlaveSession;
  private wakeSleep?: () => void;
  private localHead: LogPoint = { position: 0, hash: GENESIS_HASH };
  private masterHead = 0;
  private masterNodeId: string | null = null;
  private masterEpoch: number | null = null;
  private highestEpochSeen = 0;
  private behindSince: number | null = null;
  private lastContactAt: Date | null = null;
  private lastRefusal: SlaveReplicationStatus['lastRefusal'] = null;
  private startedAt = Date.now();

  constructor(private readonly options: ReplicationSlaveOptions) {
    super();
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = Date.now();
    this.options.outbox?.on('enqueued', this.onEnqueued);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.options.outbox?.off('enqueued', this.onEnqueued);
    this.wakeSleep?.();
    this.current?.socket.destroy();
    await this.loop;
  }

  // With upstreamOnly: the log reached `head` by another path (heartbeats and status report it).
  noteLocalHead(head: LogPoint): void {
    if (head.position <= this.localHead.position) return;
    this.localHead = head;
    this.updateLag();
    this.emit('appended', head);
  }

  // Drops the current connection; the usual backoff and resume follow.
  reconnect(): void {
    this.current?.socket.destroy(new ReplicationError('not_connected', 'reconnect requested'));
  }

  status(): SlaveReplicationStatus {
    const now = Date.now();
    const connected = !!this.current?.isLive;
    const lagMs = connected
      ? this.behindSince === null ? 0 : now - this.behindSince
      : now - (this.lastContactAt?.getTime() ?? this.startedAt);
    return {
      connected,
      masterNodeId: this.masterNodeId,
      masterEpoch: this.masterEpoch,
      masterHead: this.masterHead,
      localHead: this.localHead.position,
      lagEvents: Math.max(0, this.masterHead - this.localHead.position),
      lagMs,
      lastContactAt: this.lastContactAt,
      lastRefusal: this.lastRefusal,
    };
  }

  // See common-ancestor.ts: probe rounds on short connections of their own.
  findCommonAncestor(maxRounds = 16): Promise<CommonAncestor> {
    return findCommonAncestor({
      ...this.options,
      onEpoch: (epoch) => this.noteEpoch(epoch),
      onUntrusted: (detail) => this.untrustedMaster(detail),
    }, maxRounds);
  }

  private readonly onEnqueued = (): void => {
    this.current?.pumpUpstream();
  };

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let welcomed = false;
      try {
        welcomed = await this.connectOnce();
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'replication: connection attempt failed');
      }
      if (!this.running) break;
      failures = welcomed ? 0 : failures + 1;
      const { minMs, maxMs } = this.options.reconnect ?? { minMs: 200, maxMs: 10_000 };
      const base = Math.min(maxMs, minMs * 2 ** Math.min(failures, 20));
      await this.sleep(base / 2 + Math.random() * (base / 2));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = done;
    });
  }

  // One connection, from dial to close. Resolves true if the master welcomed us.
  private async connectOnce(): Promise<boolean> {
    const o = this.options;
    this.localHead = await o.store.head();
    this.updateLag();
    const hello = { ...helloFor(o, this.localHead, await exponentialCheckpoints(o.store, this.localHead.position)), ...(o.upstreamOnly ? { upstreamOnly: true } : o.canonicalText === false ? {} : { canonicalText: true }) };
    return new Promise<boolean>((resolve) => {
      const session = new SlaveSession(this.sessionHost());
      const conn = dial(o, hello, {
        onMessage: (m) => {
          this.lastContactAt = new Date();
          session.handle(m);
        },
        onClose: (err) => {
          clearTimeout(connectTimer);
          const reason = err?.message ?? 'connection closed';
          if (session.welcomed) this.logger.warn({ reason, localHead: this.localHead.position }, 'replication: disconnected from master');
          else if (err) this.logger.warn({ reason }, 'replication: could not replicate from master');
          void session.closed().then(() => {
            if (this.current === session) this.current = undefined;
            if (session.welcomed) this.emit('disconnected', reason);
            resolve(session.welcomed);
          });
        },
        onUntrusted: (detail) => this.untrustedMaster(detail),
      });
      session.attach(conn);
      const connectTimer = setTimeout(() => {
        if (!session.welcomed) conn.destroy(new ReplicationError('not_connected', 'no welcome from the master in time'));
      }, o.connectTimeoutMs ?? 10_000);
      this.current = session;
      if (!this.running) conn.destroy();
    });
  }

  private sessionHost(): ConstructorParameters<typeof SlaveSession>[0] {
    const o = this.options;
    return {
      store: o.store,
      logger: this.logger,
      clusterId: o.clusterId,
      outbox: o.outbox,
      heartbeatMs: o.heartbeatMs,
      idleTimeoutMs: o.idleTimeoutMs,
      maxAppendRecords: o.maxAppendRecords ?? 10_000,
      applyDelayMs: o.applyDelayMs ?? 2,
      applyIntervalMs: o.applyIntervalMs ?? 5,
      maxUpstreamInFlight: o.maxUpstreamInFlight ?? 100,
      maxFrameBytes: o.maxFrameBytes,
      upstreamOnly: o.upstreamOnly === true,
      epoch: () => o.epoch(),
      localHead: () => this.localHead,
      onWelcome: (m) => this.onWelcome(m),
      onRefuse: (m) => this.onRefuse(m),
      onApplied: (head) => {
        this.localHead = head;
        this.updateLag();
      },
      onAcked: (head) => this.emit('appended', head),
      noteMasterHead: (position) => this.noteMasterHead(position),
      noteEpoch: (epoch) => this.noteEpoch(epoch),
      onVerdict: (id, refused) => this.emit('upstreamVerdict', id, refused),
      onDelivered: (ids) => this.emit('upstreamDelivered', ids),
    };
  }

  private untrustedMaster(detail: string): void {
    this.lastRefusal = { reason: 'untrusted_master', message: detail, at: new Date() };
    this.logger.warn({ reason: 'untrusted_master', detail }, 'replication: the master\'s certificate is not the recorded one; not following it');
    this.emit('refused', { reason: 'untrusted_master', message: detail });
  }

  private onWelcome(m: WelcomeMessage): void {
    this.masterNodeId = m.nodeId;
    this.masterEpoch = m.epoch;
    this.noteMasterHead(m.head.position);
    this.noteEpoch(m.epoch);
    this.logger.info({ master: m.nodeId, epoch: m.epoch, from: this.localHead.position, masterHead: m.head.position }, 'replication: following master');
    this.emit('connected', { masterNodeId: m.nodeId, epoch: m.epoch, head: m.head, outcomeKinds: m.outcomeKinds ?? null });
  }

  private onRefuse(m: RefuseMessage): void {
    this.lastRefusal = { reason: m.reason, message: m.message, at: new Date() };
    if (m.epoch !== undefined) this.noteEpoch(m.epoch);
    this.logger.warn({ reason: m.reason, detail: m.message, ancestor: m.ancestor?.match.position }, 'replication: refused by master');
    this.emit('refused', { reason: m.reason, message: m.message, ancestor: m.ancestor, head: m.head, epoch: m.epoch });
  }

  private noteMasterHead(position: number): void {
    if (position > this.masterHead) this.masterHead = position;
    this.updateLag();
  }

  private updateLag(): void {
    if (this.masterHead > this.localHead.position) this.behindSince ??= Date.now();
    else this.behindSince = null;
  }

  private noteEpoch(epoch: number): void {
    if (epoch <= this.options.epoch() || epoch <= this.highestEpochSeen) return;
    this.highestEpochSeen = epoch;
    this.logger.warn({ epoch, own: this.options.epoch() }, 'replication: higher epoch seen');
    this.emit('epochSeen', epoch);
  }
}

