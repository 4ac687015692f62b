import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { LogHead, ReplicaEventStore, StoredEvent } from '@twofold/event-store';
import { clusterOf, fromKafkaMessage, recordEpoch } from './log-record-codec';
import type { PublisherLogger } from './log-publisher';

export type FollowRefusal = 'wrong_cluster' | 'diverged_history' | 'chain_gap' | 'bad_record';

export interface LogFollowerOptions {
  kafka: Kafka;
  topic: string;
  clusterId: string;   // records carrying another cluster's id are refused
  nodeId: string;      // names this node's consumer group
  store: ReplicaEventStore;
  logger: PublisherLogger;
  retry?: { minMs: number; maxMs: number };
}

export interface FollowerStatus {
  topic: string;
  connected: boolean;
  localHead: number;
  topicEnd: number | null;  // offsets in the topic when last fetched (re-sends make it >= the master's head)
  droppedStale: number;     // records of a replaced master (older epoch) seen and not applied
  lastError: string | null;
  lastRefusal: { reason: FollowRefusal; message: string; at: string } | null;
}

// What the node does with the follower's news (re-bound when the node changes its master).
export interface FollowerHooks {
  onAppended?(head: LogHead): void;
  onRefused?(reason: FollowRefusal, message: string): void;
}

class Refused extends Error {
  constructor(readonly reason: FollowRefusal, message: string) {
    super(message);
  }
}

const epochOf = recordEpoch;

// A slave's log from the cluster's topic instead of the fixed port, with the fixed port's
// checks: the cluster's identity, chain continuity from the local head, epochs that never go
// back. Applies through appendReplicated (which checks every hash again) and resumes from the
// local head after any failure or restart; re-sent records are dropped by position.
export class KafkaLogFollower {
  private running = false;
  private loop?: Promise<void>;
  private consumer?: Consumer;
  private wakeSleep?: () => void;
  private endSession?: () => void;
  private head: LogHead & { epoch: number } = { position: 0, hash: '', epoch: 0 };
  private state: FollowerStatus;
  private hooks: FollowerHooks = {};
  // From a promotion seen on the topic: records at or after `fromPosition` of an epoch below
  // `epoch` are the replaced master's tail, dropped (they come before the new master's in the topic).
  private floor = { epoch: 0, fromPosition: Infinity };
  private staleWarned = false;

  constructor(private readonly o: LogFollowerOptions) {
    this.state = { topic: o.topic, connected: false, localHead: 0, topicEnd: null, droppedStale: 0, lastError: null, lastRefusal: null };
  }

  bind(hooks: FollowerHooks): void {
    this.hooks = hooks;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeSleep?.();
    this.endSession?.();
    await this.consumer?.disconnect().catch(() => undefined);
    await this.loop;
  }

  status(): FollowerStatus {
    return { ...this.state, localHead: this.head.position };
  }

  private async run(): Promise<void> {
    const retry = this.o.retry ?? { minMs: 250, maxMs: 5000 };
    let delay = retry.minMs;
    while (this.running) {
      try {
        await this.followOnce();
        delay = retry.minMs;
      } catch (err) {
        if (!this.running) break;
        const message = (err as Error).message;
        if (err instanceof Refused) {
          // Like the fixed port's refusals: logged, shown in status, retried (the topic may be fixed).
          this.state.lastRefusal = { reason: err.reason, message, at: new Date().toISOString() };
          this.o.logger.warn({ reason: err.reason, detail: message, topic: this.o.topic }, 'kafka: following refused');
          this.hooks.onRefused?.(err.reason, message);
        } else if (this.state.connected || this.state.lastError !== message) {
          this.o.logger.warn({ err: message, topic: this.o.topic, localHead: this.head.position }, 'kafka: following paused, will resume from the local head');
        }
        this.state.lastError = message;
        this.state.connected = false;
        await this.sleep(delay);
        delay = Math.min(retry.maxMs, delay * 2);
      }
    }
  }

  private async loadHead(): Promise<void> {
    const head = await this.o.store.head();
    const [last] = head.position > 0 ? await this.o.store.readFrom(head.position - 1, 1) : [];
    this.head = { ...head, epoch: last ? epochOf(last) : 0 };
  }

  // One consumer session: seek to the local head and apply until an error or stop() ends it.
  // stop() can come at any await here: a session it interrupts never starts its consumer.
  private async followOnce(): Promise<void> {
    await this.loadHead();
    if (!this.running) return;
    const consumer = this.o.kafka.consumer({ // A fresh group per session: offsets are never committed (the local head is the position), and
    // a new session need not wait out the previous member's session timeout.
    groupId: `twofold-follower-${this.o.nodeId}-${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 1000,
    // After a crash this loop starts a fresh session itself: kafkajs must not restart the old one
    // behind it (an orphan consumer that retried forever, and kept the process from exiting).
    retry: { retries: 5, restartOnFailure: async () => false } });
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.o.topic, fromBeginning: true });
      if (!this.running) return;
      await new Promise<void>((resolve, reject) => {
        let failed = false;
        const crash = consumer.on(consumer.events.CRASH, (e) => reject(new Error(String((e.payload as { error?: Error }).error?.message ?? 'consumer crashed'))));
        // Only a stop we asked for ends the session quietly (kafkajs's STOP also follows a crash,
        // and never comes for a consumer stopped before it ran).
        this.endSession = resolve;
        consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
            if (failed || !this.running) return;
            try {
              this.state.connected = true;
              this.state.lastError = null;
              this.state.topicEnd = Number(batch.highWatermark);
              await this.apply(batch.messages);
              for (const m of batch.messages) resolveOffset(m.offset);
              await heartbeat();
            } catch (err) {
              failed = true;
              crash();
              reject(err);
            }
          },
        }).catch(reject);
        // Position p is first written at offset >= p - 1: from offset `head` nothing after it is missed.
        consumer.seek({ topic: this.o.topic, partition: 0, offset: String(this.head.position) });
      });
    } finally {
      this.endSession = undefined;
      this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
    }
  }

  private async apply(messages: KafkaMessage[]): Promise<void> {
    const next: StoredEvent[] = [];
    let refusal: Refused | undefined;
    let tip = { ...this.head };
    for (const m of messages) {
      try {
        const e = this.decode(m);
        const epoch = epochOf(e);
        if (e.position <= tip.position) {
          await this.checkHeld(e, epoch, next);
          continue;
        }
        // A replaced master that still reaches the broker: its records are not the cluster's log.
        if (epoch < tip.epoch || (epoch < this.floor.epoch && e.position >= this.floor.fromPosition)) {
          this.dropStale(e, epoch, Math.max(tip.epoch, this.floor.epoch));
          continue;
        }
        if (e.position !== tip.position + 1) throw new Refused('chain_gap', `the topic jumps from ${tip.position} to ${e.position}`);
        if (tip.position > 0 && e.prevHash !== tip.hash) throw new Refused('diverged_history', `record ${e.position} does not link to this node's record ${tip.position}`);
        next.push(e);
        tip = { position: e.position, hash: e.hash, epoch };
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        refusal = err;
        break;
      }
    }
    // What came before a refused record is good: keep it.
    if (next.length > 0) {
      const head = await this.o.store.appendReplicated(next);
      this.head = { ...head, epoch: tip.epoch };
      this.hooks.onAppended?.(head);
    }
    if (refusal) throw refusal;
  }

  private decode(m: KafkaMessage): StoredEvent {
    const cluster = clusterOf(m);
    if (cluster !== undefined && cluster !== this.o.clusterId) throw new Refused('wrong_cluster', `offset ${m.offset} belongs to cluster ${cluster}, this node to ${this.o.clusterId}`);
    try {
      return fromKafkaMessage(m);
    } catch (err) {
      throw new Refused('bad_record', (err as Error).message);
    }
  }

  // A record at a position this node holds: a re-send (same hash) is dropped; an older epoch's
  // other record is a replaced master's tail, dropped; a newer epoch's other record means this
  // node's own tail diverged: refused, as the fixed port does (the administrator sets it aside).
  private async checkHeld(e: StoredEvent, epoch: number, pending: StoredEvent[]): Promise<void> {
    const held = pending.find((p) => p.position === e.position) ?? (await this.o.store.readFrom(e.position - 1, 1))[0];
    if (!held || held.hash === e.hash) return;
    if (epoch <= epochOf(held)) return;
    // Remember the promotion: after the node sets its tail aside and reads on from the fork, the
    // old master's records there (earlier in the topic) are dropped, not applied again.
    if (epoch > this.floor.epoch) this.floor = { epoch, fromPosition: e.position };
    throw new Refused('diverged_history', `record ${e.position} of epoch ${epoch} differs from this node's (epoch ${epochOf(held)})`);
  }

  private dropStale(e: StoredEvent, epoch: number, current: number): void {
    this.state.droppedStale += 1;
    if (this.staleWarned) return;
    this.staleWarned = true;
    this.o.logger.warn({ position: e.position, epoch, currentEpoch: current, node: e.metadata?.nodeId }, 'kafka: dropping records of a replaced master (older epoch)');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
