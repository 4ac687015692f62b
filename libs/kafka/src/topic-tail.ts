import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { EventStore, LogHead } from '@twofold/event-store';
import { fromKafkaMessage } from './log-record-codec';

const WINDOW = 2000; // messages read from the end of the topic

// The highest position of this node's log that the topic already holds (same position, same
// hash), looking at the last WINDOW messages; null when none matches or the topic is empty.
// A matching record was published by a master whose log shares this node's chain up to it, and
// masters publish in order, so every position below it is on the topic too. A promoted master
// uses this to publish from its own head instead of re-sending the shared history.
export async function highestSharedPosition(kafka: Kafka, topic: string, store: EventStore, timeoutMs = 30_000): Promise<LogHead | null> {
  const admin = kafka.admin();
  await admin.connect();
  let low = 0;
  let high = 0;
  try {
    if (!(await admin.listTopics()).includes(topic)) return null;
    const [p0] = await admin.fetchTopicOffsets(topic);
    low = Number(p0.low);
    high = Number(p0.high);
  } finally {
    await admin.disconnect();
  }
  if (high <= low) return null;
  const seen = new Map<number, Set<string>>();
  const consumer = kafka.consumer({ groupId: `twofold-topic-tail-${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading the end of ${topic} took over ${timeoutMs} ms`)), timeoutMs);
      consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          try {
            const e = fromKafkaMessage(message);
            if (!seen.has(e.position)) seen.set(e.position, new Set());
            seen.get(e.position)!.add(e.hash);
          } catch {
            // Not a record: it proves nothing.
          }
          if (Number(message.offset) >= high - 1) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
      consumer.seek({ topic, partition: 0, offset: String(Math.max(low, high - WINDOW)) });
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  const positions = [...seen.keys()].sort((a, b) => a - b);
  const head = (await store.head()).position;
  const from = positions[0];
  const to = Math.min(positions[positions.length - 1], head);
  if (from === undefined || to < from) return null;
  let best: LogHead | null = null;
  // From the last record each page returned: a page may be short while the log holds more (see
  // EventStore.readFrom), so stepping by the page size could skip records.
  for (let at = from - 1; at < to; ) {
    const page = await store.readFrom(at, Math.min(500, to - at));
    if (page.length === 0) break;
    for (const r of page) {
      if (seen.get(r.position)?.has(r.hash)) best = { position: r.position, hash: r.hash };
    }
    at = page[page.length - 1].position;
  }
  return best;
}
