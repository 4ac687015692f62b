import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { StoredEvent } from '@twofold/event-store';
import { ChainVerifier, type Fork } from './chain-verifier';
import { fromKafkaMessage } from './log-record-codec';

export interface TailOptions {
  kafka: Kafka;
  topic: string;
  from: number;               // first position to print (1 = the whole log)
  follow?: boolean;           // keep reading new records until signal aborts
  group?: string;             // a named consumer group commits its offsets; default: a throwaway group
  signal?: AbortSignal;
  onRecord: (e: StoredEvent) => Promise<void> | void;
  // A promotion: records already handed to onRecord from fork.fromPosition on are set aside.
  onFork?: (fork: Fork) => Promise<void> | void;
}

export interface TailResult { printed: number; duplicates: number; stale: number; forks: Fork[]; lastPosition: number }

export class TopicMissingError extends Error {
  readonly code = 'kafka_topic_missing';
}

// Reads the cluster's log topic and hands each new record, verified and in order, to onRecord.
// Without follow it stops at the end the topic had when it started.
export async function tailLog(o: TailOptions): Promise<TailResult> {
  const admin = o.kafka.admin();
  await admin.connect();
  let low = 0;
  let high = 0;
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(o.topic)) throw new TopicMissingError(`topic ${o.topic} does not exist (is the master publishing to these brokers?)`);
    const [p0] = await admin.fetchTopicOffsets(o.topic);
    low = Number(p0.low);
    high = Number(p0.high);
  } finally {
    await admin.disconnect();
  }
  // A named group resumes where it committed: its first record is the anchor of the chain.
  const verifier = new ChainVerifier(o.from, { trustFirst: Boolean(o.group) });
  const result: TailResult = { printed: 0, duplicates: 0, stale: 0, forks: [], lastPosition: o.from - 1 };
  if (!o.follow && high <= low) return result;

  // Position p is first published at offset >= p - 1 (re-sends only add offsets), so a read
  // from offset p - 1 never misses it.
  const start = Math.max(low, o.from - 1);
  const consumer = o.kafka.consumer({ groupId: o.group ?? `twofold-log-tail-${randomUUID()}`, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: o.topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: unknown) => {
        settled = true;
        if (err) reject(err);
        else resolve();
      };
      o.signal?.addEventListener('abort', () => finish(), { once: true });
      consumer.run({
        autoCommit: Boolean(o.group),
        eachMessage: async ({ message }) => {
          if (settled) return;
          try {
            const e = fromKafkaMessage(message);
            const verdict = verifier.accept(e);
            if (verdict === 'fork' && verifier.lastFork) {
              result.forks.push(verifier.lastFork);
              await o.onFork?.(verifier.lastFork);
            }
            if (verdict === 'next' || verdict === 'fork') {
              await o.onRecord(e);
              result.printed += 1;
              result.lastPosition = e.position;
            } else if (verdict === 'duplicate') {
              result.duplicates += 1;
            } else if (verdict === 'stale') {
              result.stale += 1;
            }
            if (!o.follow && Number(message.offset) >= high - 1) finish();
          } catch (err) {
            finish(err);
          }
        },
      }).catch(finish);
      // Without a named group there is no committed offset to honour: seek to where `from` can start.
      if (!o.group) consumer.seek({ topic: o.topic, partition: 0, offset: String(start) });
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return result;
}
