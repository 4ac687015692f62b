import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { EventStore, StoredEvent, Subscription } from '@twofold/event-store';
import { toKafkaMessage } from './log-record-codec';
import type { PublishCheckpoint } from './publish-checkpoint';
import { highestSharedPosition } from './topic-tail';

export interface PublisherLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface LogPublisherOptions {
  kafka: Kafka;
  store: EventStore;
  checkpoint: PublishCheckpoint;
  logger: PublisherLogger;
  clusterId?: string; // sent in a header on every record
  // Only a writable master publishes; checked before every batch.
  isMaster: () => boolean;
  topicReplicationFactor?: number; // -1: the broker's default
  batchSize?: number;
  retry?: { minMs: number; maxMs: number };
}

export interface PublisherStatus {
  topic: string;
  publishing: boolean; // this node is the writable master (other nodes' publishers idle)
  connected: boolean;
  publishedPosition: number;
  headPosition: number;
  lagEvents: number;
  lastPublishedAt: string | null;
  lastError: string | null;
}

// Publishes every committed record, in order, from the durable checkpoint to the cluster's
// topic. It runs beside the write path and never blocks it: while the broker is away the loop
// backs off and later resumes from the checkpoint.
export class KafkaLogPublisher {
  private producer?: Producer;
  private stopped = false;
  private running?: Promise<void>;
  private wake?: () => void;
  private subscription?: Subscription;
  private published = { position: 0, hash: '' };
  private head = 0;
  private connected = false;
  private lastPublishedAt: string | null = null;
  private lastError: string | null = null;
  private readonly batchSize: number;
  private readonly retry: { minMs: number; maxMs: number };

  constructor(private readonly o: LogPublisherOptions) {
    this.batchSize = o.batchSize ?? 500;
    this.retry = o.retry ?? { minMs: 250, maxMs: 5000 };
  }

  get topic(): string {
    return this.o.checkpoint.topic;
  }

  async start(): Promise<void> {
    this.published = await this.o.checkpoint.read();
    this.head = (await this.o.store.head()).position;
    // Only a wake-up signal: the loop reads from the store itself.
    this.subscription = this.o.store.subscribe(this.head, (e) => {
      this.head = Math.max(this.head, e.position);
      this.wake?.();
    });
    this.running = this.loop();
  }

  status(): PublisherStatus {
    const publishing = this.o.isMaster();
    return {
      topic: this.topic, publishing, connected: publishing && this.connected, publishedPosition: this.published.position, headPosition: this.head,
      lagEvents: publishing ? Math.max(0, this.head - this.published.position) : 0, lastPublishedAt: this.lastPublishedAt, lastError: this.lastError,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.subscription?.close();
    this.wake?.();
    await this.running;
    await this.disconnect();
  }

  private async loop(): Promise<void> {
    let delay = this.retry.minMs;
    let aligned = false;
    while (!this.stopped) {
      try {
        if (!this.o.isMaster()) {
          aligned = false;
          await this.idle(1000);
          continue;
        }
        // Once per term as master: skip what the topic already holds of this log (a promoted
        // slave's checkpoint is behind; the old master published the shared history).
        if (!aligned) {
          await this.alignWithTopic();
          aligned = true;
        }
        const batch = await this.o.store.readFrom(this.published.position, this.batchSize);
        if (batch.length === 0) {
          await this.idle(1000);
          continue;
        }
        await this.publish(batch);
        delay = this.retry.minMs;
      } catch (err) {
        const message = (err as Error).message;
        if (this.connected || this.lastError !== message) {
          this.o.logger.warn({ topic: this.topic, err: message, publishedPosition: this.published.position }, 'kafka: publishing paused, will resume from the checkpoint');
        }
        this.lastError = message;
        this.connected = false;
        await this.disconnect();
        await this.idle(delay, false);
        delay = Math.min(this.retry.maxMs, delay * 2);
      }
    }
  }

  private async alignWithTopic(): Promise<void> {
    const head = (await this.o.store.head()).position;
    if (this.published.position >= head) return;
    const shared = await highestSharedPosition(this.o.kafka, this.topic, this.o.store);
    if (!shared || shared.position <= this.published.position) return;
    await this.o.checkpoint.save(shared);
    this.o.logger.info({ topic: this.topic, from: this.published.position, to: shared.position }, 'kafka: the topic already holds this log up to here; publishing from there');
    this.published = shared;
  }

  private async publish(batch: StoredEvent[]): Promise<void> {
    const producer = await this.connect();
    // acks -1: the broker's in-sync replicas hold it before the checkpoint moves.
    await producer.send({ topic: this.topic, acks: -1, messages: batch.map((e) => toKafkaMessage(e, this.o.clusterId)) });
    const last = batch[batch.length - 1];
    await this.o.checkpoint.save({ position: last.position, hash: last.hash });
    this.published = { position: last.position, hash: last.hash };
    this.head = Math.max(this.head, last.position);
    this.lastPublishedAt = new Date().toISOString();
  }

  private async connect(): Promise<Producer> {
    if (this.producer && this.connected) return this.producer;
    const admin = this.o.kafka.admin();
    await admin.connect();
    try {
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [{
          topic: this.topic, numPartitions: 1, replicationFactor: this.o.topicReplicationFactor ?? -1,
          // The log is kept for ever: a consumer can start from position 1 at any time.
          configEntries: [{ name: 'retention.ms', value: '-1' }, { name: 'retention.bytes', value: '-1' }],
        }],
      });
      if (created) this.o.logger.info({ topic: this.topic }, 'kafka: created the log topic');
    } finally {
      await admin.disconnect();
    }
    // Idempotent: the broker drops a batch the client re-sends after a lost ack.
    this.producer = this.o.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await this.producer.connect();
    if (!this.connected) this.o.logger.info({ topic: this.topic, publishedPosition: this.published.position }, 'kafka: publishing');
    this.connected = true;
    this.lastError = null;
    return this.producer;
  }

  private async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  // wakeable: new appends end the wait (not while backing off from a failure).
  private idle(ms: number, wakeable = true): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        if (!wakeable && !this.stopped) return;
        this.wake = undefined;
        done();
      };
    });
  }
}
