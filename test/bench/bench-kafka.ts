// Kafka benchmark on a real single-node broker (TWOFOLD_TEST_KAFKA_BROKERS, or one started here
// with test/support/kafka/start-broker.sh). `npm run bench:kafka [-- --events 50000 --rate 1000 --seconds 10]`.
// Prints figures; asserts nothing.
//   1. publish events/s: a log of N records published from checkpoint 0 (one topic, one partition)
//   2. at a steady, open-loop append rate (appends fired on schedule, not after the previous one):
//      append committed -> acknowledged by the broker, and -> durable in the log of a replica
//      following the topic (KafkaLogFollower, as a TWOFOLD_REPLICATION_SOURCE=kafka slave), p50/p99
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEventStore, type NewEvent, type TypeOrmEventStore } from '@twofold/event-store';
import { connectKafka, KafkaLogFollower, KafkaLogPublisher, PublishCheckpoint } from '@twofold/kafka';
import { arg } from './bench-args';

const SCRIPTS = resolve(process.cwd(), 'test/support/kafka');

function event(i: number): NewEvent {
  return {
    type: 'AuthenticationFailed', schemaVersion: 1,
    payload: { userId: `u-${i % 5000}`, at: new Date().toISOString(), reason: 'bad_otp', source: 'radius:client-1', seq: i },
    metadata: { actor: 'radius:client-1', nodeId: 'master', epoch: 0 },
  };
}

const quiet = { info: () => undefined, warn: (o: object, m: string) => console.error(m, o) };
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function publisherFor(store: TypeOrmEventStore, brokers: string, topic: string, onAcked?: (position: number) => void) {
  const kafka = connectKafka({ brokers });
  const checkpoint = await PublishCheckpoint.open(store.dataSource, topic);
  const save = checkpoint.save.bind(checkpoint);
  // The checkpoint moves right after the broker's ack: when it does is the publish-side lag.
  checkpoint.save = async (head) => {
    onAcked?.(head.position);
    await save(head);
  };
  const publisher = new KafkaLogPublisher({ kafka, store, checkpoint, logger: quiet, isMaster: () => true });
  return { kafka, publisher };
}

async function main(): Promise<void> {
  const events = arg('events', 50_000);
  const rate = arg('rate', 1000);
  const seconds = arg('seconds', 10);
  const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-kafka-'));
  let brokers = process.env.TWOFOLD_TEST_KAFKA_BROKERS;
  const ownBroker = !brokers;
  if (ownBroker) {
    execFileSync(join(SCRIPTS, 'start-broker.sh'), [join(dir, 'broker')], { stdio: ['ignore', 'ignore', 'inherit'] });
    brokers = /TWOFOLD_TEST_KAFKA_BROKERS=(\S+)/.exec(readFileSync(join(dir, 'broker', 'broker.env'), 'utf8'))![1];
  }
  try {
    // 1. Throughput: a log written first, then published from checkpoint 0.
    const store = await createEventStore({ url: join(dir, 'a.sqlite'), sqliteSynchronous: 'NORMAL' });
    for (let i = 0; i < events; i += 1000) await store.append(`bench-${i}`, 0, Array.from({ length: Math.min(1000, events - i) }, (_, j) => event(i + j)));
    const a = await publisherFor(store, brokers!, `twofold.bench-${Date.now()}.log`);
    const t0 = performance.now();
    await a.publisher.start();
    while (a.publisher.status().publishedPosition < events) await new Promise((r) => setTimeout(r, 20));
    const seconds1 = (performance.now() - t0) / 1000;
    await a.publisher.stop();
    await store.close();
    console.log(`publish: ${events} records in ${seconds1.toFixed(2)} s = ${Math.round(events / seconds1)} events/s (incl. connect and topic creation)`);

    // 2. Lag at a steady rate: append returned -> the record reached a consumer of the topic.
    const live = await createEventStore({ url: join(dir, 'b.sqlite') });
    const appendedAt = new Map<number, number>();
    const topic = `twofold.bench-live-${Date.now()}.log`;
    const acked: number[] = [];
    let ackedUpTo = 1;
    const b = await publisherFor(live, brokers!, topic, (position) => {
      const t = performance.now();
      for (let p = ackedUpTo + 1; p <= position; p++) {
        const at = appendedAt.get(p);
        if (at !== undefined) acked.push(t - at);
      }
      ackedUpTo = Math.max(ackedUpTo, position);
    });
    await live.append('warm-up', 0, [event(0)]);
    await b.publisher.start();
    while (b.publisher.status().publishedPosition < 1) await new Promise((r) => setTimeout(r, 20));
    const lags: number[] = [];
    const total = rate * seconds;
    const replica = await createEventStore({ url: join(dir, 'replica.sqlite') });
    const follower = new KafkaLogFollower({ kafka: connectKafka({ brokers: brokers! }), topic, clusterId: 'bench', nodeId: 'replica', store: replica, logger: quiet });
    let visibleUpTo = 0;
    follower.bind({
      onAppended: (head) => {
        const t = performance.now();
        for (let p = visibleUpTo + 1; p <= head.position; p++) {
          const at = appendedAt.get(p);
          if (at !== undefined) lags.push(t - at);
        }
        visibleUpTo = Math.max(visibleUpTo, head.position);
      },
    });
    follower.start();
    while ((await replica.head()).position < 1) await new Promise((r) => setTimeout(r, 50)); // following
    const start = performance.now();
    const appends: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      appends.push(live.append(`live-${i}`, 0, [event(i)]).then(([stored]) => void appendedAt.set(stored.position, performance.now())));
    }
    const offered = total / ((performance.now() - start) / 1000);
    await Promise.all(appends);
    const committed = total / ((performance.now() - start) / 1000);
    const deadline = Date.now() + 60_000;
    while (lags.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await follower.stop();
    await b.publisher.stop();
    await replica.close();
    await live.close();
    lags.sort((x, y) => x - y);
    acked.sort((x, y) => x - y);
    console.log(`append -> acknowledged by the broker (checkpoint moves): p50 ${pct(acked, 50).toFixed(1)} ms, p99 ${pct(acked, 99).toFixed(1)} ms`);
    console.log(`append -> durable on a replica following the topic, at ${Math.round(offered)} appends/s offered, ${Math.round(committed)}/s committed (${lags.length}/${total} seen): p50 ${pct(lags, 50).toFixed(1)} ms, p99 ${pct(lags, 99).toFixed(1)} ms`);
  } finally {
    if (ownBroker) execFileSync(join(SCRIPTS, 'stop-broker.sh'), [join(dir, 'broker'), '--kill']);
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
