import { ReplicationMaster, type ReplicationSlave, UpstreamInbox, UpstreamOutbox } from '@twofold/replication';
import { certificateFingerprint, tlsServername } from '@twofold/platform';
import type { NodeServices } from '../node/node-services';
import type { MasterAddress } from '../cluster/cluster-role';
import { admitReplicationPeer, recordOwnCertificate, verifyMaster, warnAboutCaKey } from '../cluster/node-identity';
import type { UpstreamSecurityEvents } from './upstream-security-events';
import { applyUpstream } from './upstream-apply';
import type { UpstreamVerdicts } from './upstream-verdicts';
import { hasErrorCode, SECURITY_OUTCOME_KINDS } from '@twofold/domain';
import { drainOutbox } from './outbox-drain';
import { catchUpFromPeers, type CatchUp } from './promotion-catch-up';
import { NewerMasterFinder, type VerifiedMaster } from './newer-master';
import { createSlave } from '../kafka/kafka-following';

// What the coordinator works with: the node's storage, read model, command side and role, this
// node's own address, and its upstream outbox (a slave's security events) and verdicts.
export type ReplicationNode = Pick<NodeServices, 'config' | 'dataDir' | 'logger' | 'dataSource' | 'store' | 'projector' | 'queries' | 'commands' | 'role' | 'kafkaFollower'> & {
  self: MasterAddress;
};

// Runs this node's side of replication for whatever role it has, and changes role when the
// cluster does: promotion (one command), fencing by a higher epoch, following a new master.
export class ReplicationCoordinator {
  private master?: ReplicationMaster;
  private slave?: ReplicationSlave;
  private ticker?: NodeJS.Timeout;
  private readonly finder: NewerMasterFinder;
  private surveying = false;
  private pruner?: NodeJS.Timeout;
  private stopped = false;
  private disconnectedSince: number | null = null;
  private handlingDivergence = false;
  private draining: Promise<void> = Promise.resolve();

  constructor(
    private readonly rt: ReplicationNode,
    private readonly outbox: UpstreamOutbox,
    private readonly upstream: UpstreamSecurityEvents,
    private readonly verdicts: UpstreamVerdicts,
  ) {
    this.finder = new NewerMasterFinder(rt);
  }

  private get log() {
    return this.rt.logger.child({ component: 'replication' });
  }

  get self(): MasterAddress {
    return this.rt.self;
  }

  private get tls() {
    const { dataDir } = this.rt;
    return { key: dataDir.tls.keyPem, cert: dataDir.tls.certPem, ca: dataDir.ca.certPem };
  }

  async start(): Promise<void> {
    const { role } = this.rt;
    warnAboutCaKey(this.rt);
    if (role.role === 'master') {
      // A master coming back after an outage first checks whether it was replaced.
      const newer = await this.finder.findVerified(await this.finder.survey());
      if (newer) {
        this.log.warn({ epoch: newer.epoch, master: newer.master.nodeName }, 'a newer master exists: this node returns as a slave');
        role.becomeSlave(newer.epoch, newer.master);
      }
    }
    if (role.role === 'master') {
      await this.startMaster();
      // A master with an outbox was promoted and stopped before it had appended all of it.
      if ((await this.outbox.count()) > 0) this.startDrain();
    } else this.startSlave();
    this.ticker = setInterval(() => void this.tick(), 2000);
    this.ticker.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    await this.draining;
    if (this.pruner) clearInterval(this.pruner);
    await this.slave?.stop();
    await this.master?.stop();
  }

  status() {
    return {
      slaves: this.master?.status() ?? [],
      upstream: this.slave?.status() ?? null,
      // On a slave: the once-only window (codes accepted without the master's verdict).
      onceOnly: this.slave ? this.verdicts.status() : null,
    };
  }

  pendingSecurityEvents(): Promise<number> {
    return this.outbox.count();
  }

  // Synchronous replication: the write returns once `count` slaves hold it durably.
  async waitForSlaves(position: number): Promise<void> {
    const { syncSlaves, syncTimeoutMs } = this.rt.config.replication;
    if (syncSlaves === 0 || !this.master) return;
    try {
      await this.master.waitForAcks(position, syncSlaves, syncTimeoutMs);
    } catch (err) {
      if (!hasErrorCode(err, 'ack_timeout')) throw err;
      throw Object.assign(new Error(`written on the master at position ${position}, but not confirmed by ${syncSlaves} slave(s) within ${syncTimeoutMs} ms (TWOFOLD_REPLICATION_SYNC_SLAVES)`), { code: 'ack_timeout' });
    }
  }

  private async startMaster(): Promise<void> {
    const { rt } = this;
    const inbox = await UpstreamInbox.open(rt.dataSource);
    // Ids a slave could still redeliver are kept a week; older ones would only grow the table.
    const prune = () => inbox.prune(new Date(Date.now() - 7 * 24 * 3600 * 1000)).catch((err) => this.log.warn({ err: (err as Error).message }, 'could not prune the upstream inbox'));
    void prune();
    if (this.pruner) clearInterval(this.pruner);
    this.pruner = setInterval(prune, 3600 * 1000);
    this.pruner.unref();
    this.master = new ReplicationMaster({
      store: rt.store, clusterId: rt.dataDir.identity.clusterId, nodeId: rt.dataDir.identity.nodeId, epoch: () => rt.role.epoch,
      tls: this.tls, host: rt.config.replication.bindAddress, port: rt.config.replication.port, logger: this.log, inbox,
      tlsHandshakeTimeoutMs: rt.config.tls.handshakeTimeoutMs, maxConnectionsPerSource: rt.config.replication.maxConnectionsPerSource,
      isAllowedNode: (nodeId, _fingerprint, peer) => admitReplicationPeer(rt, nodeId, peer),
      onUpstream: (nodeId, event) => applyUpstream(rt, nodeId, event),
      outcomeKinds: SECURITY_OUTCOME_KINDS,
    });
    // A peer's epoch is a claim: it makes this node check with the master it names at once, and
    // only that master's answer over replication (its identity checked) ends this node's term.
    this.master.on('epochSeen', (epoch, from) => {
      this.log.warn({ epoch, from }, 'a peer claims a higher epoch: checking with the master it names');
      void this.tick();
    });
    this.master.on('refused', (info) => this.log.warn(info, 'replication peer refused'));
    this.master.on('connected', (s) => this.log.info({ slave: s.nodeName }, 'slave connected'));
    await this.master.start();
    await rt.commands.cluster.registerFounder({ ...this.self, fingerprint: certificateFingerprint(rt.dataDir.tls.certPem) })
      .then(() => recordOwnCertificate(rt))
      .catch((err) => this.log.warn({ err: (err as Error).message }, 'could not list this node and its certificate in the cluster'));
    this.log.info({ port: rt.config.replication.port, epoch: rt.role.epoch }, 'replication listener started (master)');
  }

  private startSlave(): void {
    const { rt } = this;
    const target = rt.role.master;
    if (!target) {
      this.log.error('no master address known: run `twofold join` or set peers');
      return;
    }
    this.slave = createSlave(rt, {
      store: rt.store, clusterId: rt.dataDir.identity.clusterId, nodeId: rt.dataDir.identity.nodeId,
      nodeName: rt.dataDir.identity.nodeName, epoch: () => rt.role.epoch,
      master: { host: target.host, port: target.replicationPort }, tls: { ...this.tls, servername: tlsServername(target.host) },
      logger: this.log, outbox: this.outbox, reconnect: { minMs: 200, maxMs: 2000 },
      verifyMaster: (peer) => verifyMaster(rt, target.nodeId, peer),
    });
    this.disconnectedSince = Date.now();
    this.slave.on('connected', (w) => {
      this.disconnectedSince = null;
      this.verdicts.setConnected(true);
      this.upstream.masterReads(w.outcomeKinds);
      this.log.info({ master: w.masterNodeId, epoch: w.epoch, head: w.head.position }, 'following the master');
      if (w.epoch > rt.role.epoch) rt.role.epoch = w.epoch;
    });
    this.slave.on('disconnected', (reason) => {
      this.disconnectedSince ??= Date.now();
      this.verdicts.setConnected(false);
      this.log.warn({ reason }, 'lost the master');
    });
    this.slave.on('upstreamVerdict', (id, refused) => {
      this.verdicts.record(id, refused);
      if (refused) this.log.warn({ upstreamId: id, code: refused.code }, 'the master refused a security event from this node');
    });
    this.slave.on('upstreamDelivered', (ids) => {
      const target = this.slave?.status().masterHead ?? 0;
      void rt.projector.waitFor(target, 60_000).then(() => this.upstream.settle(ids), () => this.upstream.settle(ids));
    });
    this.slave.on('refused', (r) => {
      this.log.warn({ reason: r.reason, detail: r.message }, 'the master refused this node');
      if (r.reason === 'diverged_history') void this.setAsideDivergence();
    });
    this.slave.start();
  }

  // An old master returning: find where its history left the new master's, keep the tail for
  // audit (never replayed), rebuild the read model, and follow.
  private async setAsideDivergence(): Promise<void> {
    if (this.handlingDivergence || !this.slave) return;
    this.handlingDivergence = true;
    const { rt } = this;
    try {
      await this.slave.stop();
      const found = await this.slave.findCommonAncestor();
      const result = await rt.store.setAsideAfter(found.ancestor.position, `diverged from master ${rt.role.master?.nodeName ?? '?'} (epoch ${rt.role.epoch})`);
      this.log.warn({ ancestor: found.ancestor.position, setAside: result.setAside }, 'divergent history set aside; rebuilding the read model');
      rt.projector.stop();
      await rt.projector.rebuild(rt.store);
      rt.projector.follow(rt.store, (err) => this.log.error({ err: (err as Error).message }, 'read model projection failed'));
      this.slave.start();
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'could not set the divergent history aside');
    } finally {
      this.handlingDivergence = false;
    }
  }

  // One command: this slave catches up from its peers, writes the next epoch record and becomes
  // the master. `force`: promote even if a peer holds writes this node cannot fetch (logged, and
  // the actor recorded on the epoch record says so).
  async promote(actor: string, opts: { force?: boolean } = {}): Promise<number> {
    const { rt } = this;
    if (rt.role.role === 'master' && !rt.role.fenced) return rt.role.epoch;
    await this.slave?.stop();
    this.slave = undefined;
    let caughtUp: CatchUp;
    try {
      caughtUp = await catchUpFromPeers(rt, await this.finder.peers(), opts.force === true);
      await rt.projector.waitFor((await rt.store.head()).position, 30_000);
    } catch (err) {
      if (rt.role.role === 'slave') this.startSlave(); // not promoted: go on following
      throw err;
    }
    const recordedActor = opts.force && caughtUp.ahead.length > 0 ? `${actor} (forced; ahead: ${caughtUp.ahead.join(', ')})` : opts.force ? `${actor} (forced)` : actor;
    const epoch = await rt.commands.cluster.promote({ nodeId: rt.dataDir.identity.nodeId, nodeName: rt.dataDir.identity.nodeName }, { actor: recordedActor });
    rt.role.becomeMaster(epoch, this.self);
    await this.startMaster();
    this.log.warn({ epoch, fetched: caughtUp.fetched, unreachable: caughtUp.unreachable, forcedPast: caughtUp.ahead }, 'promoted to master');
    // What this node raised while it was a slave is now the master's own to append. In the
    // background, in batches: the node answers sign-ins and accepts writes meanwhile (its
    // directory still folds the pending items, so a code used during the outage stays used).
    this.startDrain();
    return epoch;
  }

  private startDrain(): void {
    const { rt } = this;
    const started = Date.now();
    // TEST_CRASH_IN_DRAIN=n (not a TWOFOLD_ key: tests only): tests kill the process after batch n is durable (before the
    // outbox forgets it), the one window where an item could be lost or appended twice.
    const crashAt = Number(process.env.TEST_CRASH_IN_DRAIN ?? 0);
    const afterAppend = crashAt > 0 ? (batch: number) => { if (batch === crashAt) process.kill(process.pid, 'SIGKILL'); } : undefined;
    this.draining = drainOutbox({ outbox: this.outbox, security: rt.commands.security, approvals: rt.commands.approvals, upstream: this.upstream, store: rt.store, dataSource: rt.dataSource, log: this.log }, { afterAppend }).then(
      (n) => { if (n > 0) this.log.info({ applied: n, ms: Date.now() - started }, 'security events raised as a slave appended'); },
      (err) => this.log.error({ err: (err as Error).message }, 'could not append the pending security events; they stay in the outbox'),
    );
  }

  // Someone says a newer epoch exists (an epoch notice): check now rather than at the next tick.
  checkNow(): void {
    void this.tick();
  }

  // Every 2 s. A master asks its peers what epoch they know and steps down only for a master it
  // has verified; it also tells peers that still act as master of an older epoch. A slave without
  // its master looks for the master of the newest epoch.
  private async tick(): Promise<void> {
    const { rt } = this;
    if (this.stopped || this.surveying) return;
    this.surveying = true;
    try {
      if (rt.role.role === 'master') {
        const answers = await this.finder.survey();
        const newer = await this.finder.findVerified(answers);
        if (newer && rt.role.role === 'master' && !this.stopped) await this.followVerified(newer);
        else if (rt.role.role === 'master') await this.finder.tellStaleMasters(answers);
        return;
      }
      const lost = this.disconnectedSince !== null && Date.now() - this.disconnectedSince > 3000;
      if (!lost) return;
      const newer = await this.finder.findVerified(await this.finder.survey());
      if (!newer || (rt.role.role === 'slave' && rt.role.master?.nodeId === newer.master.nodeId)) return;
      this.log.warn({ epoch: newer.epoch, master: newer.master.nodeName }, 'switching to the newest master');
      await this.slave?.stop();
      rt.role.becomeSlave(newer.epoch, newer.master);
      this.startSlave();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not check the cluster for a newer master');
    } finally {
      this.surveying = false;
    }
  }

  // This node was replaced: no write from here on (at once), then follow the new master; what it
  // wrote after the histories parted is set aside when the new master says diverged_history.
  private async followVerified(newer: VerifiedMaster): Promise<void> {
    const { rt } = this;
    rt.role.becomeSlave(newer.epoch, newer.master);
    this.log.warn({ epoch: newer.epoch, master: newer.master.nodeName }, 'a newer master was verified: this node stops accepting writes and follows it');
    await this.master?.stop();
    this.master = undefined;
    await this.slave?.stop();
    this.startSlave();
  }

  // A node removed or given a new certificate: its open session (if any) ends now.
  dropNode(nodeId: string, reason: string): void {
    this.master?.dropNode(nodeId, reason);
  }

  caFingerprint(): string {
    return certificateFingerprint(this.rt.dataDir.ca.certPem);
  }
}
