import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createEventStore, type EventStore } from '@twofold/event-store';
import { highestSharedPosition, toKafkaMessage } from '@twofold/kafka';
import { twofold } from '../support/cli';
import { ServerProcess } from '../support/server-process';
import { describeWithKafka, TestBroker } from '../support/kafka/broker';

// Issue 12: the master publishes its log to a real Kafka broker; `log tail --kafka` reads it back
// identical to `log export`, through broker outages and a master crash between commit and publish.

async function addUsers(server: ServerProcess, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect((await server.api('POST', '/admin/v1/users', { username: `${prefix}${i}` })).status).toBe(201);
}

async function status(server: ServerProcess): Promise<any> {
  const answer = await server.api('GET', '/admin/v1/status');
  expect(answer.status).toBe(200);
  return answer.body;
}

// Until Kafka acknowledged everything the master committed.
async function publishedToHead(server: ServerProcess, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(server);
    if (s.kafka && s.kafka.publishedPosition === s.logHead.position && s.kafka.lagEvents === 0) return s;
    if (Date.now() > deadline) throw new Error(`not published within ${timeoutMs} ms: ${JSON.stringify(s.kafka)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function exportLines(dataDir: string, from = 1): Promise<string[]> {
  const out = await twofold(['--data-dir', dataDir, 'log', 'export', '--from', String(from)]);
  expect(out.code).toBe(0);
  return out.stdout.split('\n').filter(Boolean);
}

async function tailKafka(broker: TestBroker, topic: string, from = 1) {
  const out = await twofold(['log', 'tail', '--kafka', broker.brokers, '--topic', topic, '--from', String(from)], { timeoutMs: 90_000 });
  return { ...out, lines: out.stdout.split('\n').filter(Boolean) };
}

function positions(lines: string[]): number[] {
  return lines.map((l) => (JSON.parse(l) as { position: number }).position);
}

describeWithKafka('the log on Kafka', () => {
  let broker: TestBroker;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    broker = await TestBroker.start();
  });
  afterAll(async () => {
    await broker?.destroy();
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const start = (opts: { dataDir?: string; adminToken?: string } = {}) =>
    ServerProcess.start({ ...opts, env: { TWOFOLD_KAFKA_BROKERS: broker.brokers } });

  it('holds every committed record in order: log tail --kafka from 1 equals log export, and from a later position too', async () => {
    server = await start();
    await addUsers(server, 'ann', 12);
    const s = await publishedToHead(server);
    expect(s.kafka.topic).toBe(`twofold.${s.clusterId}.log`);
    const metrics = await server.api('GET', '/metrics');
    expect(String(metrics.body)).toMatch(/^twofold_kafka_publish_lag_events 0$/m);
    expect(String(metrics.body)).toMatch(new RegExp(`^twofold_kafka_published_position ${s.logHead.position}$`, 'm'));

    const fromKafka = await tailKafka(broker, s.kafka.topic);
    expect(fromKafka.code).toBe(0);
    expect(fromKafka.lines.length).toBe(s.logHead.position);
    expect(fromKafka.lines).toEqual(await exportLines(server.dataDir));
    const later = await tailKafka(broker, s.kafka.topic, 5);
    expect(later.code).toBe(0);
    expect(later.lines).toEqual(await exportLines(server.dataDir, 5));
  });

  it('keeps the master writing while the broker is down, then publishes what was missing: no gap, no duplicate', async () => {
    server = await start();
    await addUsers(server, 'bob', 5);
    const before = await publishedToHead(server);

    await broker.stop({ kill: true });
    await addUsers(server, 'carl', 8); // the master does not wait for Kafka
    const during = await status(server);
    expect(during.logHead.position).toBeGreaterThan(before.logHead.position);
    expect(during.kafka.publishedPosition).toBe(before.logHead.position);
    expect(during.kafka.lagEvents).toBe(during.logHead.position - before.logHead.position);

    await broker.restart();
    await addUsers(server, 'dora', 3);
    const after = await publishedToHead(server);
    const fromKafka = await tailKafka(broker, after.kafka.topic);
    expect(fromKafka.code).toBe(0);
    expect(positions(fromKafka.lines)).toEqual(Array.from({ length: after.logHead.position }, (_, i) => i + 1));
    expect(fromKafka.lines).toEqual(await exportLines(server.dataDir));
  });

  it('republishes after a master crash between commit and publish', async () => {
    server = await start();
    await addUsers(server, 'eve', 3);
    const before = await publishedToHead(server);
    const { adminToken, dataDir } = server;

    await broker.stop();
    await addUsers(server, 'finn', 6); // committed on the master, not on Kafka
    const committed = (await status(server)).logHead.position;
    expect(committed).toBeGreaterThan(before.logHead.position);
    await server.stop('SIGKILL');
    server = undefined;

    await broker.restart();
    server = await start({ dataDir, adminToken });
    const after = await publishedToHead(server);
    expect(after.logHead.position).toBe(committed);
    const fromKafka = await tailKafka(broker, after.kafka.topic);
    expect(fromKafka.code).toBe(0);
    expect(positions(fromKafka.lines)).toEqual(Array.from({ length: committed }, (_, i) => i + 1));
    expect(fromKafka.lines).toEqual(await exportLines(dataDir));
  });

  it('log tail --kafka refuses a forged record on the topic with exit 8, naming the position', async () => {
    server = await start();
    await addUsers(server, 'gus', 2);
    const s = await publishedToHead(server);
    const [last] = (await exportLines(server.dataDir, s.logHead.position)).map((l) => JSON.parse(l));
    // Someone with write access to the topic appends a record that claims to be the next one.
    const forged = { ...last, position: last.position + 1, streamId: 'user-forged', prevHash: last.hash, payload: { username: 'mallory' } };
    const kafka = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: s.kafka.topic, messages: [{ key: String(forged.position), value: JSON.stringify(forged), headers: { 'twofold-hash': forged.hash } }] });
    await producer.disconnect();

    const fromKafka = await tailKafka(broker, s.kafka.topic);
    expect(fromKafka.code).toBe(8);
    expect(fromKafka.stderr).toContain(`broken at position ${forged.position}`);
    expect(fromKafka.lines).toEqual(await exportLines(server.dataDir));
  });

  // A promoted master publishes from the highest position the topic shares with its log. Its log
  // may answer short pages while holding more (EventStore.readFrom): every record is still compared.
  it('finds the topic\'s last shared record even when the log answers in short pages', async () => {
    const store = await createEventStore({ url: join(mkdtempSync(join(tmpdir(), 'twofold-tail-')), 'log.sqlite') });
    try {
      for (let i = 0; i < 3; i++) {
        await store.appendMany(Array.from({ length: 400 }, (_, k) => ({ streamId: `tick-${i}-${k}`, expectedVersion: 0, events: [{ type: 'Tick', schemaVersion: 1, payload: { n: k }, metadata: { actor: 'test', nodeId: 'master', epoch: 0 } }] })));
      }
      const head = await store.head();
      const records = await store.readFrom(0, 5000);
      expect(records).toHaveLength(1200);
      const kafka = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING });
      const topic = 'twofold-shared-short-pages';
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: records.map((e) => toKafkaMessage(e)) });
      await producer.disconnect();

      const shortPages: EventStore = Object.create(store, { readFrom: { value: async (after: number, limit: number) => (await store.readFrom(after, limit)).slice(0, 7) } });
      expect(await highestSharedPosition(kafka, topic, shortPages)).toEqual(head);
    } finally {
      await store.close();
    }
  });
});
