import { EventEmitter } from 'node:events';
import { connect, type TLSSocket } from 'node:tls';
import { GENESIS_HASH, isEventStoreError, type ReplicaEventStore, type StoredEvent } from '@twofold/event-store';
import type { TlsMaterial } from '../master/replication-master';
import { DEFAULT_MAX_FRAME_BYTES } from '../protocol/frame-parser';
import {
  PROTOCOL_VERSION,
  type AncestorMessage,
  type HelloMessage,
  type LogPoint,
  type Message,
  type RefuseMessage,
  type RefuseReason,
  type WelcomeMessage,
} from '../protocol/messages';
import { ReplicationError } from '../replication-error';
import { silentLogger, type ReplicationLogger } from '../replication-logger';
import type { UpstreamOutbox } from '../storage/upstream-outbox';
import { FrameSocket } from '../transport/frame-socket';
import { peerCertificate } from '../transport/peer-certificate';
import { checkpointsBetween, exponentialCheckpoints } from './checkpoints';

export interface ReplicationSlaveOptions {
  store: ReplicaEventStore;
  clusterId: string;
  nodeId: string;
  nodeName: string; // must be the CN of tls.cert (the master checks)
  epoch: () => number;
  master: { host: string; port: number };
  tls: TlsMaterial & { servername?: string };
  reconnect?: { minMs: number; maxMs: number }; // backoff after any disconnect (default 200 ms .. 10 s)
  heartbeatMs?: number; // default: the master's, from its welcome
  idleTimeoutMs?: number; // drop a master silent this long (default 5 x heartbeat)
  connectTimeoutMs?: number; // TCP + TLS + welcome (default 10 s)
  maxAppendRecords?: number; // received batches merged into one durable append (default 5000)
  maxFrameBytes?: number;
  maxUpstreamInFlight?: number; // outbox items sent and not yet acknowledged (default 100)
  logger?: ReplicationLogger;
  outbox?: UpstreamOutbox;
  // The slave checks the master too: before anything is sent, the master's certificate must be the
  // one recorded for the node this slave follows (null = accepted, a string = why not).
  verifyMaster?: (peer: MasterPeer) => string | null | Promise<string | null>;
  // The log comes from elsewhere (Kafka): this connection carries only upstream security events,
  // heartbeats and epochs; the caller reports its durable head with noteLocalHead().
  upstreamOnly?: boolean;
}

export interface MasterPeer {
  fingerprint: string; // lower-case hex SHA-256 of the certificate's DER
  commonName: string;
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

export interface CommonAncestor {
  ancestor: LogPoint; // highest position where this log and the master's agree
  diverged: boolean; // false: this log is a prefix of the master's
  masterHead: LogPoint;
  rounds: number;
}

export interface ReplicationSlaveEvents {
  connected: [welcome: { masterNodeId: string; epoch: number; head: LogPoint }];
  disconnected: [reason: string];
  refused: [refusal: { reason: RefuseReason | string; message: string; ancestor?: RefuseMessage['ancestor']; head?: LogPoint; epoch?: number }];
  appended: [head: LogPoint];
  // A higher epoch than this node's own was seen (welcome, heartbeat, epoch notice or refusal).
  epochSeen: [epoch: number];
  upstreamDelivered: [ids: string[]];
  // The master's verdict on each delivered id: appended, or refused by a domain rule (code, field).
  upstreamVerdict: [id: string, refused: { code: string; field?: string } | null];
}

interface Attempt {
  conn: FrameSocket;
  welcomed: boolean;
  queue: StoredEvent[][];
  applyLoop: Promise<void> | null;
  heartbeat?: NodeJS.Timeout;
  upstreamSentSeq: number;
  upstreamInFlight: Set<string>;
  pumping: boolean;
  pumpAgain: boolean;
}

// The client side: dials the master, resumes from the local head, applies verified batches,
// acknowledges what is durable, heartbeats, carries the outbox upstream, and reconnects after
// any disconnect.
export class ReplicationSlave extends EventEmitter<ReplicationSlaveEvents> {
  private readonly logger: ReplicationLogger;
  private running = false;
  private loop?: Promise<void>;
  private current?: Attempt;
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
    this.current?.conn.destroy();
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
    this.current?.conn.destroy(new ReplicationError('not_connected', 'reconnect requested'));
  }

  status(): SlaveReplicationStatus {
    const now = Date.now();
    const connected = !!this.current?.welcomed && !this.current.conn.isClosed;
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

  // Where this log and the master's part: probe rounds (one short connection each) that send up to
  // MAX_CHECKPOINTS (position, hash) pairs and narrow the interval by that factor each time, so a
  // million-record tail takes about four rounds. For an old master returning as a slave; the
  // caller sets the tail above `ancestor` aside before starting replication.
  async findCommonAncestor(maxRounds = 16): Promise<CommonAncestor> {
    const head = await this.options.store.head();
    let lo: LogPoint = { position: 0, hash: GENESIS_HASH }; // known shared
    let hi = head.position; // positions in (lo, hi] not known yet
    let masterHead: LogPoint = { position: 0, hash: GENESIS_HASH };
    for (let round = 1; round <= maxRounds; round++) {
      const checkpoints = await checkpointsBetween(this.options.store, lo.position, hi);
      const answer = await this.probe(checkpoints, head);
      masterHead = answer.head;
      if (answer.match.position > lo.position) lo = answer.match;
      if (answer.firstMismatch === null) {
        // All matched up to hi; hi + 1 (if any) was a mismatch in an earlier round.
        return { ancestor: lo, diverged: lo.position < head.position, masterHead, rounds: round };
      }
      hi = answer.firstMismatch - 1;
      if (hi <= lo.position) return { ancestor: lo, diverged: true, masterHead, rounds: round };
    }
    throw new ReplicationError('protocol_error', 'common ancestor not found within the round limit', { lo: lo.position, hi });
  }

  private readonly onEnqueued = (): void => {
    if (this.current) void this.pumpUpstream(this.current);
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
    const { store, master, tls } = this.options;
    this.localHead = await store.head();
    this.updateLag();
    const hello: HelloMessage = {
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      clusterId: this.options.clusterId,
      nodeId: this.options.nodeId,
      nodeName: this.options.nodeName,
      epoch: this.options.epoch(),
      head: this.localHead,
      checkpoints: await exponentialCheckpoints(this.options.store, this.localHead.position),
      ...(this.options.upstreamOnly ? { upstreamOnly: true } : {}),
    };
    return new Promise<boolean>((resolve) => {
      const socket = connect({
        host: master.host,
        port: master.port,
        key: tls.key,
        cert: tls.cert,
        ca: tls.ca,
        servername: tls.servername,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      });
      const attempt: Attempt = {
        conn: undefined as unknown as FrameSocket,
        welcomed: false,
        queue: [],
        applyLoop: null,
        upstreamSentSeq: 0,
        upstreamInFlight: new Set(),
        pumping: false,
        pumpAgain: false,
      };
      const connectTimer = setTimeout(() => {
        if (!attempt.welcomed) attempt.conn.destroy(new ReplicationError('not_connected', 'no welcome from the master in time'));
      }, this.options.connectTimeoutMs ?? 10_000);
      attempt.conn = new FrameSocket(
        socket,
        {
          onMessage: (m) => this.onMessage(attempt, m),
          onClose: (err) => {
            clearTimeout(connectTimer);
            if (attempt.heartbeat) clearInterval(attempt.heartbeat);
            attempt.queue = [];
            const reason = err?.message ?? 'connection closed';
            if (attempt.welcomed) this.logger.warn({ reason, localHead: this.localHead.position }, 'replication: disconnected from master');
            else if (err) this.logger.warn({ reason }, 'replication: could not replicate from master');
            // The next hello must carry the true durable head: let an append in progress finish.
            void (attempt.applyLoop ?? Promise.resolve()).then(() => {
              if (this.current === attempt) this.current = undefined;
              if (attempt.welcomed) this.emit('disconnected', reason);
              resolve(attempt.welcomed);
            });
          },
        },
        this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      );
      this.current = attempt;
      socket.once('secureConnect', () => void this.checkMaster(socket).then((refusal) => {
        if (refusal === null) return attempt.conn.send(hello);
        this.untrustedMaster(refusal);
        attempt.conn.destroy(new ReplicationError('refused', refusal));
      }));
      if (!this.running) attempt.conn.destroy();
    });
  }

  private async checkMaster(socket: TLSSocket): Promise<string | null> {
    const verify = this.options.verifyMaster;
    if (!verify) return null;
    const { fingerprint, commonName } = peerCertificate(socket);
    try {
      return await verify({ fingerprint, commonName });
    } catch (err) {
      return `the master's certificate could not be checked: ${(err as Error).message}`;
    }
  }

  private untrustedMaster(detail: string): void {
    this.lastRefusal = { reason: 'untrusted_master', message: detail, at: new Date() };
    this.logger.warn({ reason: 'untrusted_master', detail }, 'replication: the master\'s certificate is not the recorded one; not following it');
    this.emit('refused', { reason: 'untrusted_master', message: detail });
  }

  private onMessage(a: Attempt, m: Message): void {
    this.lastContactAt = new Date();
    switch (m.type) {
      case 'welcome':
        if (a.welcomed) return this.protocolError(a, 'second welcome');
        return this.onWelcome(a, m);
      case 'refuse':
        return this.onRefuse(a, m);
      case 'batch':
        if (!a.welcomed) return this.protocolError(a, 'batch before welcome');
        if (this.options.upstreamOnly) return this.protocolError(a, 'the master streams the log to a slave that reads it from Kafka (a master of an older release?)');
        this.noteMasterHead(m.records[m.records.length - 1].position);
        a.queue.push(m.records);
        if (!a.applyLoop) a.applyLoop = this.applyQueued(a).finally(() => (a.applyLoop = null));
        return;
      case 'heartbeat':
        this.noteMasterHead(m.position);
        return this.noteEpoch(m.epoch);
      case 'epoch':
        return this.noteEpoch(m.epoch);
      case 'upstreamAck':
        return void this.onUpstreamAck(a, m.ids, m.refused ?? []);
      default:
        return this.protocolError(a, `unexpected ${m.type} from master`);
    }
  }

  private onWelcome(a: Attempt, m: WelcomeMessage): void {
    if (m.clusterId !== this.options.clusterId) return this.protocolError(a, `master serves cluster ${m.clusterId}`);
    a.welcomed = true;
    this.masterNodeId = m.nodeId;
    this.masterEpoch = m.epoch;
    this.noteMasterHead(m.head.position);
    this.noteEpoch(m.epoch);
    const heartbeatMs = this.options.heartbeatMs ?? m.heartbeatMs;
    const idleTimeoutMs = this.options.idleTimeoutMs ?? heartbeatMs * 5;
    a.heartbeat = setInterval(() => {
      if (Date.now() - a.conn.lastReceivedAt > idleTimeoutMs) {
        a.conn.destroy(new ReplicationError('not_connected', `master silent for ${idleTimeoutMs} ms`));
        return;
      }
      if (!a.conn.needsDrain) a.conn.send({ type: 'heartbeat', position: this.localHead.position, sentAt: Date.now(), epoch: this.options.epoch() });
    }, heartbeatMs);
    a.heartbeat.unref();
    this.logger.info({ master: m.nodeId, epoch: m.epoch, from: this.localHead.position, masterHead: m.head.position }, 'replication: following master');
    this.emit('connected', { masterNodeId: m.nodeId, epoch: m.epoch, head: m.head });
    void this.pumpUpstream(a);
  }

  private onRefuse(a: Attempt, m: RefuseMessage): void {
    this.lastRefusal = { reason: m.reason, message: m.message, at: new Date() };
    if (m.epoch !== undefined) this.noteEpoch(m.epoch);
    this.logger.warn({ reason: m.reason, detail: m.message, ancestor: m.ancestor?.match.position }, 'replication: refused by master');
    this.emit('refused', { reason: m.reason, message: m.message, ancestor: m.ancestor, head: m.head, epoch: m.epoch });
    a.conn.end();
  }

  // Every received batch goes through appendReplicated, which checks positions, links and hashes
  // before writing; the ack names only what is durable.
  private async applyQueued(a: Attempt): Promise<void> {
    const limit = this.options.maxAppendRecords ?? 5000;
    while (a.queue.length > 0 && !a.conn.isClosed) {
      let records = a.queue.shift()!;
      while (a.queue.length > 0 && records.length + a.queue[0].length <= limit) records = records.concat(a.queue.shift()!);
      try {
        this.localHead = await this.options.store.appendReplicated(records);
      } catch (err) {
        const code = isEventStoreError(err) ? err.code : 'error';
        this.logger.error({ code, err: (err as Error).message, first: records[0].position }, 'replication: received records rejected; reconnecting');
        a.conn.destroy(err as Error);
        return;
      }
      this.updateLag();
      a.conn.send({ type: 'ack', position: this.localHead.position });
      this.emit('appended', this.localHead);
    }
  }

  private async pumpUpstream(a: Attempt): Promise<void> {
    const outbox = this.options.outbox;
    if (!outbox || !a.welcomed || a.conn.isClosed) return;
    if (a.pumping) {
      a.pumpAgain = true;
      return;
    }
    a.pumping = true;
    const max = this.options.maxUpstreamInFlight ?? 100;
    try {
      do {
        a.pumpAgain = false;
        while (!a.conn.isClosed && a.upstreamInFlight.size < max) {
          const items = await outbox.pending(a.upstreamSentSeq, max - a.upstreamInFlight.size);
          if (items.length === 0 || a.conn.isClosed) break;
          for (const item of items) {
            a.conn.send({ type: 'upstream', id: item.id, kind: item.kind, payload: item.payload });
            a.upstreamInFlight.add(item.id);
            a.upstreamSentSeq = item.seq;
          }
        }
      } while (a.pumpAgain && !a.conn.isClosed);
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'replication: reading the upstream outbox failed');
    } finally {
      a.pumping = false;
    }
  }

  private async onUpstreamAck(a: Attempt, ids: string[], refused: Array<{ id: string; code: string; field?: string }>): Promise<void> {
    const known = ids.filter((id) => a.upstreamInFlight.delete(id));
    for (const id of known) {
      const r = refused.find((x) => x.id === id);
      this.emit('upstreamVerdict', id, r ? { code: r.code, ...(r.field ? { field: r.field } : {}) } : null);
    }
    try {
      await this.options.outbox?.remove(known);
    } catch (err) {
      // Kept in the outbox: sent again after a reconnect, and the master dedupes it.
      this.logger.error({ err: (err as Error).message }, 'replication: removing delivered upstream events failed');
      return;
    }
    if (known.length > 0) this.emit('upstreamDelivered', known);
    void this.pumpUpstream(a);
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

  private protocolError(a: Attempt, message: string): void {
    this.logger.warn({ err: message }, 'replication: protocol error from master');
    a.conn.destroy(new ReplicationError('protocol_error', message));
  }

  private probe(checkpoints: LogPoint[], head: LogPoint): Promise<AncestorMessage> {
    const { master, tls } = this.options;
    const hello: HelloMessage = {
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      clusterId: this.options.clusterId,
      nodeId: this.options.nodeId,
      nodeName: this.options.nodeName,
      epoch: this.options.epoch(),
      head,
      checkpoints,
      probe: true,
    };
    return new Promise((resolve, reject) => {
      let settled = false;
      const socket = connect({ host: master.host, port: master.port, key: tls.key, cert: tls.cert, ca: tls.ca, servername: tls.servername, rejectUnauthorized: true, minVersion: 'TLSv1.2' });
      const timer = setTimeout(() => conn.destroy(new ReplicationError('not_connected', 'no answer to the probe in time')), this.options.connectTimeoutMs ?? 10_000);
      const conn = new FrameSocket(socket, {
        onMessage: (m) => {
          if (m.type === 'ancestor') {
            settled = true;
            resolve(m);
          } else if (m.type === 'refuse') {
            settled = true;
            if (m.epoch !== undefined) this.noteEpoch(m.epoch);
            reject(new ReplicationError('refused', `master refused the probe: ${m.reason}: ${m.message}`, { reason: m.reason }));
          }
          conn.end();
        },
        onClose: (err) => {
          clearTimeout(timer);
          if (!settled) reject(err ?? new ReplicationError('not_connected', 'master closed the probe connection'));
        },
      }, this.options.maxFrameBytes);
      socket.once('secureConnect', () => void this.checkMaster(socket).then((refusal) => {
        if (refusal === null) return conn.send(hello);
        this.untrustedMaster(refusal);
        conn.destroy(new ReplicationError('refused', refusal));
      }));
    });
  }
}
