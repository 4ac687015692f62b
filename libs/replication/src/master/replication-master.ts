import { EventEmitter } from 'node:events';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { AsyncMutex, type EventStore, type StoredEvent, type Subscription } from '@twofold/event-store';
import { DEFAULT_MAX_FRAME_BYTES } from '../protocol/frame-parser';
import { FanOut, type SharedFrames } from './fan-out';
import {
  PROTOCOL_VERSION,
  type AncestorAnswer,
  type HelloMessage,
  type LogPoint,
  type RefuseReason,
  type UpstreamItem,
} from '../protocol/messages';
import { ReplicationError } from '../replication-error';
import { silentLogger, type ReplicationLogger } from '../replication-logger';
import type { UpstreamEvent, UpstreamInbox, UpstreamRefusal } from '../storage/upstream-inbox';
import { FrameSocket } from '../transport/frame-socket';
import { limitConnectionsPerSource } from '../transport/connection-guard';
import { DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS, TLS_SERVER_POLICY } from '../transport/tls-policy';
import { peerCertificate } from '../transport/peer-certificate';
import { AckTracker } from './ack-tracker';
import { findAncestor, holds } from './log-points';
import { MasterSession, type SessionHost, type SessionSettings, type SlaveStatus } from './master-session';
import type { PeerIdentity } from './peer-identity';

export interface TlsMaterial {
  key: string | Buffer;
  cert: string | Buffer;
  ca: string | Buffer; // the cluster CA: the only issuer trusted on either side
}

export type { PeerIdentity } from './peer-identity';

export interface ReplicationMasterOptions {
  store: EventStore;
  clusterId: string;
  nodeId: string;
  epoch: () => number;
  tls: TlsMaterial;
  host?: string; // default 0.0.0.0
  port: number; // 0 picks a free port (tests); see address()
  batchSize?: number; // records per read and per frame while a slave catches up (default 5000)
  maxBatchesInFlight?: number; // window: batchSize x this records unacknowledged per slave (default 4)
  heartbeatMs?: number; // default 1000
  idleTimeoutMs?: number; // close a slave silent this long (default 5 x heartbeatMs)
  stallTimeoutMs?: number; // close a slave whose window stays full this long with no ack (default 6 x idleTimeoutMs)
  handshakeTimeoutMs?: number; // default 10 s
  tlsHandshakeTimeoutMs?: number; // TLS itself must finish by then (default 10 s)
  maxConnectionsPerSource?: number; // default 16
  maxFrameBytes?: number; // default 16 MiB
  fanOutIntervalMs?: number; // at most one frame per slave per this many ms on the live tail (default 1)
  logger?: ReplicationLogger;
  // The upstream kinds onUpstream reads, announced in the welcome (slaves send newer kinds only to a
  // master that lists them).
  outcomeKinds?: readonly string[];
  // Admission after the certificate chain (cluster CA) and name binding passed: the node must be a
  // member whose recorded certificate fingerprint is this one. A string is the refusal's detail.
  // Asked again before each upstream message, so a node removed meanwhile sends nothing more.
  isAllowedNode?: (nodeId: string, certFingerprint: string, peer: PeerIdentity) => boolean | string | Promise<boolean | string>;
  // Appends a slave's security event. Throw only for transient failures (the slave resends after
  // reconnecting); resolve for anything handled, including domain rejections. Exactly-once:
  // see UpstreamInbox; without an inbox this must itself be idempotent by event.id.
  // Resolving with a refusal (a domain rule said no, nothing appended) tells the slave so in the
  // upstreamAck (`refused`), so it can refuse the sign-in it holds.
  onUpstream: (nodeId: string, event: UpstreamEvent) => Promise<void | UpstreamRefusal>;
  inbox?: UpstreamInbox;
}

export interface ReplicationMasterEvents {
  connected: [status: SlaveStatus];
  disconnected: [nodeId: string];
  refused: [info: { nodeId?: string; reason: RefuseReason; message: string; remoteAddress?: string }];
  // A slave holds a higher epoch than ours: this node has been superseded and must stop writing.
  epochSeen: [epoch: number, fromNodeId: string];
  ack: [nodeId: string, position: number];
}

// The listener on the replication port. Slaves always dial in; the master never connects out.
export class ReplicationMaster extends EventEmitter<ReplicationMasterEvents> implements SessionHost {
  readonly store: EventStore;
  readonly logger: ReplicationLogger;
  readonly settings: SessionSettings;
  readonly nodeId: string;
  private readonly sessions = new Map<string, MasterSession>();
  private readonly pending = new Set<FrameSocket>(); // connections still in the handshake
  private readonly acks = new AckTracker();
  private readonly upstreamLock = new AsyncMutex();
  private server?: Server;
  private headWatch?: Subscription;
  private head = 0;
  private stopping = false;
  private readonly fanOut: FanOut;

  constructor(private readonly options: ReplicationMasterOptions) {
    super();
    this.store = options.store;
    this.nodeId = options.nodeId;
    this.logger = options.logger ?? silentLogger;
    const batchSize = options.batchSize ?? 5000;
    const heartbeatMs = options.heartbeatMs ?? 1000;
    const idleTimeoutMs = options.idleTimeoutMs ?? heartbeatMs * 5;
    this.settings = {
      batchSize,
      maxInFlight: batchSize * (options.maxBatchesInFlight ?? 4),
      heartbeatMs,
      idleTimeoutMs,
      stallTimeoutMs: options.stallTimeoutMs ?? idleTimeoutMs * 6,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    };
    if (this.settings.batchSize < 1 || this.settings.maxInFlight < this.settings.batchSize) throw new ReplicationError('invalid_config', 'batchSize and maxBatchesInFlight must be >= 1');
    this.fanOut = new FanOut(options.fanOutIntervalMs ?? 1, this.settings.maxFrameBytes, (records, shared) => this.offer(records, shared));
  }

  epoch(): number {
    return this.options.epoch();
  }

  knownHead(): number {
    return this.head;
  }

  async start(): Promise<{ port: number }> {
    if (this.server) throw new ReplicationError('invalid_config', 'master already started');
    this.head = (await this.store.head()).position;
    // Every committed record is read once here (in-process appends wake it at once, other
    // processes by poll) and handed to every session together, framed once (see FanOut).
    this.headWatch = this.store.subscribe(this.head, (e) => this.fanOut.push(e));
    const { key, cert, ca } = this.options.tls;
    const server = createServer({
      key, cert, ca, requestCert: true, rejectUnauthorized: true, ...TLS_SERVER_POLICY,
      handshakeTimeout: this.options.tlsHandshakeTimeoutMs ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
    });
    limitConnectionsPerSource(server, {
      maxPerSource: this.options.maxConnectionsPerSource ?? 16,
      onLimited: (source) => this.logger.warn({ remoteAddress: source }, 'replication: too many connections from one address; new ones are closed'),
    });
    server.on('secureConnection', (socket) => this.accept(socket));
    server.on('tlsClientError', (err, socket) => {
      // Certificates not issued by the cluster CA end here, before any frame is read.
      this.logger.warn({ remoteAddress: socket.remoteAddress, err: err.message }, 'replication: TLS handshake refused');
      // With a listener here Node leaves the socket open (a handshake time-out included).
      socket.destroy();
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = this.address().port;
    this.logger.info({ port }, 'replication: master listening');
    return { port };
  }

  address(): { host: string; port: number } {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new ReplicationError('not_connected', 'master is not listening');
    return { host: a.address, port: a.port };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.headWatch?.close();
    for (const s of [...this.sessions.values()]) s.close('master stopping');
    for (const c of this.pending) c.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.acks.clear();
  }

  status(): SlaveStatus[] {
    const now = Date.now();
    return [...this.sessions.values()].map((s) => s.status(now));
  }

  // Synchronous replication: resolves once `count` distinct slaves have made `position` durable.
  // Rejects with ack_timeout; what to do then (fail the write, degrade) is the caller's choice.
  waitForAcks(position: number, count: number, timeoutMs: number): Promise<void> {
    return this.acks.wait(position, count, timeoutMs);
  }

  // One fan-out's records (see FanOut), written to every live session. A session that is
  // catching up, or whose window the records would overflow, only gets woken: it reads from the
  // log itself. Nothing here waits for any slave.
  private offer(records: StoredEvent[], shared: SharedFrames): void {
    const last = records[records.length - 1].position;
    if (last > this.head) this.head = last;
    for (const s of this.sessions.values()) {
      try {
        s.offer(records, shared);
      } catch (err) {
        s.close('stream error', err as Error);
      }
    }
  }

  onAck(session: MasterSession): void {
    this.acks.set(session.nodeId, session.ackedPosition);
    this.emit('ack', session.nodeId, session.ackedPosition);
  }

  onPeerEpoch(epoch: number, fromNodeId: string): void {
    if (epoch <= this.epoch()) return;
    this.logger.warn({ epoch, own: this.epoch(), fromNodeId }, 'replication: a peer holds a higher epoch; this master is superseded');
    this.emit('epochSeen', epoch, fromNodeId);
  }

  applyUpstream(nodeId: string, item: UpstreamItem): Promise<UpstreamRefusal | undefined> {
    const event: UpstreamEvent = item;
    // One at a time across all slaves: the inbox check-then-apply must not interleave.
    return this.upstreamLock.runExclusive(async () => {
      const inbox = this.options.inbox;
      if (!inbox) return (await this.options.onUpstream(nodeId, event)) ?? undefined;
      const result = await inbox.deliver(nodeId, event, this.store, () => this.options.onUpstream(nodeId, event));
      return typeof result === 'object' ? result.refused : undefined;
    });
  }

  // A node removed or re-issued a certificate: its session ends now and it no longer counts
  // toward synchronous replication (its next connection goes through isAllowedNode again).
  dropNode(nodeId: string, reason: string): void {
    this.sessions.get(nodeId)?.close(reason);
    this.acks.forget(nodeId);
  }

  // Each upstream message is re-checked against the membership: an open session of a node
  // removed since its handshake is closed before anything it sent is applied.
  async stillAllowed(session: MasterSession): Promise<boolean> {
    const check = this.options.isAllowedNode;
    if (!check) return true;
    const verdict = await check(session.nodeId, session.peer.fingerprint, session.peer);
    if (verdict === true) return true;
    this.logger.warn({ nodeId: session.nodeId, detail: typeof verdict === 'string' ? verdict : 'not a member' }, 'replication: session no longer admitted; closing');
    this.dropNode(session.nodeId, 'no longer a member');
    return false;
  }

  onSessionClosed(session: MasterSession): void {
    if (this.sessions.get(session.nodeId) === session) {
      this.sessions.delete(session.nodeId);
      this.emit('disconnected', session.nodeId);
    }
  }

  private accept(socket: TLSSocket): void {
    const remoteAddress = socket.remoteAddress;
    let session: MasterSession | undefined;
    let handshaking = false;
    const conn: FrameSocket = new FrameSocket(
      socket,
      {
        onMessage: (m) => {
          if (session) return session.handle(m);
          if (handshaking || m.type !== 'hello') {
            this.refuse(conn, 'protocol_error', `expected one hello first, got ${m.type}`, undefined, remoteAddress);
            return;
          }
          handshaking = true;
          this.handshake(conn, m).then(
            (s) => {
              session = s;
            },
            (err: Error) => {
              this.logger.error({ remoteAddress, err: err.message }, 'replication: handshake failed');
              conn.destroy(err);
            },
          );
        },
        onClose: (err) => {
          clearTimeout(timer);
          this.pending.delete(conn);
          if (session) session.close('connection closed', err);
          else if (err) this.logger.warn({ remoteAddress, err: err.message }, 'replication: connection dropped before the handshake completed');
        },
      },
      this.settings.maxFrameBytes,
    );
    this.pending.add(conn);
    // Judged once the event loop has read what is waiting (after a stall of this process timers run
    // first); a hello that arrived in time is the peer's part done, however long the answer takes.
    const timer = setTimeout(() => setImmediate(() => {
      if (session || handshaking || conn.isClosed) return;
      this.logger.warn({ remoteAddress }, 'replication: no handshake in time, closing');
      conn.destroy();
    }), this.options.handshakeTimeoutMs ?? 10_000);
    timer.unref();
    if (this.stopping) conn.destroy();
  }

  private async handshake(conn: FrameSocket, hello: HelloMessage): Promise<MasterSession | undefined> {
    const remoteAddress = conn.socket.remoteAddress;
    const refuse = (reason: RefuseReason, message: string, extra: { ancestor?: AncestorAnswer; head?: LogPoint } = {}) => {
      this.refuse(conn, reason, message, hello.nodeId, remoteAddress, extra);
      return undefined;
    };
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      return refuse('unsupported_version', `protocol version ${hello.protocolVersion} is not supported (this master speaks ${PROTOCOL_VERSION})`);
    }
    if (hello.clusterId !== this.options.clusterId) {
      return refuse('wrong_cluster', `this master serves cluster ${this.options.clusterId}, not ${hello.clusterId}`);
    }
    if (this.stopping) return refuse('shutting_down', 'master is stopping');
    const peer = this.peerIdentity(conn.socket, hello);
    // The certificate names the node: one node's certificate cannot speak for another.
    if (peer.commonName !== hello.nodeName && peer.commonName !== hello.nodeId) {
      return refuse('unknown_node', `certificate is for ${peer.commonName}, not ${hello.nodeName}`);
    }
    const verdict = this.options.isAllowedNode ? await this.options.isAllowedNode(hello.nodeId, peer.fingerprint, peer) : true;
    if (verdict !== true) {
      return refuse('unknown_node', typeof verdict === 'string' ? verdict : `node ${hello.nodeId} is not a member of this cluster`);
    }
    if (hello.epoch > this.epoch()) {
      this.onPeerEpoch(hello.epoch, hello.nodeId);
      return refuse('stale_master', `the slave has seen epoch ${hello.epoch}; this master is at ${this.epoch()}`);
    }
    const head = await this.store.head();
    if (hello.probe) {
      const answer = await findAncestor(this.store, hello.checkpoints ?? []);
      if (!conn.isClosed) conn.send({ type: 'ancestor', ...answer, head, epoch: this.epoch() });
      conn.end();
      return undefined;
    }
    if (!(await holds(this.store, hello.head))) {
      const ancestor = await findAncestor(this.store, hello.checkpoints ?? []);
      return refuse(
        'diverged_history',
        `the slave's position ${hello.head.position} (hash ${hello.head.hash.slice(0, 12)}) is not in this master's log (head ${head.position}); common history ends at or above ${ancestor.match.position}`,
        { ancestor, head },
      );
    }
    if (conn.isClosed) return undefined;
    this.pending.delete(conn);
    const previous = this.sessions.get(hello.nodeId);
    if (previous) previous.close('replaced by a new connection from the same node');
    // A slave that reads textBatch frames gets them (payload and metadata as the stored canonical
    // text); any other gets batch frames, as from every earlier release.
    const canonicalText = hello.canonicalText === true && hello.upstreamOnly !== true;
    const session = new MasterSession(this, conn, peer, hello.head.position, hello.upstreamOnly === true, canonicalText ? 'text' : 'objects');
    this.sessions.set(hello.nodeId, session);
    this.acks.holds(hello.nodeId, hello.head.position);
    conn.send({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      clusterId: this.options.clusterId,
      nodeId: this.nodeId,
      epoch: this.epoch(),
      head,
      heartbeatMs: this.settings.heartbeatMs,
      upstreamBatch: true,
      ...(canonicalText ? { canonicalText: true } : {}),
      ...(this.options.outcomeKinds ? { outcomeKinds: [...this.options.outcomeKinds] } : {}),
    });
    if (head.position > this.head) this.head = head.position;
    session.start();
    this.logger.info({ nodeId: hello.nodeId, nodeName: hello.nodeName, from: hello.head.position, head: head.position, remoteAddress }, 'replication: slave accepted');
    this.emit('connected', session.status());
    return session;
  }

  private refuse(
    conn: FrameSocket,
    reason: RefuseReason,
    message: string,
    nodeId: string | undefined,
    remoteAddress: string | undefined,
    extra: { ancestor?: AncestorAnswer; head?: LogPoint } = {},
  ): void {
    this.logger.warn({ nodeId, remoteAddress, reason, detail: message }, 'replication: slave refused');
    this.emit('refused', { nodeId, reason, message, remoteAddress });
    conn.send({ type: 'refuse', reason, message, epoch: this.epoch(), ...extra });
    conn.end();
  }

  private peerIdentity(socket: TLSSocket, hello: HelloMessage): PeerIdentity {
    return { nodeId: hello.nodeId, nodeName: hello.nodeName, ...peerCertificate(socket) };
  }
}

export type { SlaveStatus };
