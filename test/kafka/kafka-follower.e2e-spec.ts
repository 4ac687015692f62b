import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createEventStore, type NewEvent, type TypeOrmEventStore } from '@twofold/event-store';
import { connectKafka, KafkaLogFollower, KafkaLogPublisher, PublishCheckpoint, toKafkaMessage } from '@twofold/kafka';
import { describeWithKafka, TestBroker } from '../support/kafka/broker';

// Issue 12: a replica follows the log from the real broker with the fixed port's checks (the
// cluster's identity, chain continuity, epochs). Stores and the publisher run in this process;
// the broker is a real one, killed and restarted mid-stream.

const quiet = { info: () => undefined, warn: () => undefined };
const event = (i: number, epoch = 0): NewEvent => ({ type: 'Tick', schemaVersion: 1, payload: { i }, metadata: { actor: 'admin:1', nodeId: 'master', epoch } });

async function until(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeWithKafka('a replica following the log from Kafka', () => {
  let broker: TestBroker;
  const dir = mkdtempSync(join(tmpdir(), 'twofold-kafka-follow-'));
  const open: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = [];
  let n = 0;

  beforeAll(async () => {
    broker = await TestBroker.start();
  });
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await ('stop' in x ? x.stop() : x.close());
  });
  afterAll(async () => {
    await broker?.destroy();
  });

  async function store(): Promise<TypeOrmEventStore> {
    const s = await createEventStore({ url: join(dir, `s${n++}.sqlite`) });
    open.push(s);
    return s;
  }

  async function master(clusterId: string) {
    const s = await store();
    const topic = `twofold.${clusterId}.log`;
    const publisher = new KafkaLogPublisher({ kafka: connectKafka({ brokers: broker.brokers }), store: s, clusterId, checkpoint: await PublishCheckpoint.open(s.dataSource, topic), logger: quiet, isMaster: () => true, retry: { minMs: 100, maxMs: 1000 } });
    await publisher.start();
    open.push(publisher);
    return { store: s, topic, publisher };
  }

  async function follower(clusterId: string, topic: string, nodeId: string) {
    const replica = await store();
    const f = new KafkaLogFollower({ kafka: connectKafka({ brokers: broker.brokers }), topic, clusterId, nodeId, store: replica, logger: quiet, retry: { minMs: 100, maxMs: 1000 } });
    f.start();
    open.push(f);
    return { replica, follower: f };
  }

  it('two replicas hold the master\'s log, identical, through a broker crash and restart mid-stream', async () => {
    const m = await master('c-follow');
    for (let i = 0; i < 30; i++) await m.store.append(`s-${i}`, 0, [event(i)]);
    const a = await follower('c-follow', m.topic, 'replica-a');
    const b = await follower('c-follow', m.topic, 'replica-b');
    await until('replicas at 30', async () => (await a.replica.head()).position === 30 && (await b.replica.head()).position === 30);

    await broker.stop({ kill: true });
    for (let i = 30; i < 60; i++) await m.store.append(`s-${i}`, 0, [event(i)]);
    await broker.restart();
    for (let i = 60; i < 70; i++) await m.store.append(`s-${i}`, 0, [event(i)]);
    const head = await m.store.head();
    await until('replicas at the master head', async () => (await a.replica.head()).position === head.position && (await b.replica.head()).position === head.position);
    const log = await m.store.readFrom(0, 1000);
    expect(await a.replica.readFrom(0, 1000)).toEqual(log);
    expect(await b.replica.readFrom(0, 1000)).toEqual(log);
    expect(await a.replica.verify()).toMatchObject({ ok: true, head });
    expect(a.follower.status()).toMatchObject({ localHead: head.position, lastRefusal: null });
  });

  it('drops re-sent records by position: a master that republishes from 0 changes nothing on the replica', async () => {
    const m = await master('c-resend');
    for (let i = 0; i < 10; i++) await m.store.append(`s-${i}`, 0, [event(i)]);
    const a = await follower('c-resend', m.topic, 'replica-r');
    await until('replica at 10', async () => (await a.replica.head()).position === 10);
    // As after a crash between the broker's ack and the checkpoint write: everything sent again.
    const again = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).producer();
    await again.connect();
    await again.send({ topic: m.topic, messages: (await m.store.readFrom(0, 100)).map((e) => toKafkaMessage(e, 'c-resend')) });
    await again.disconnect();
    await m.store.append('s-last', 0, [event(99)]);
    await until('replica at 11', async () => (await a.replica.head()).position === 11);
    expect(await a.replica.readFrom(0, 100)).toEqual(await m.store.readFrom(0, 100));
    expect(a.follower.status().lastRefusal).toBeNull();
  });

  it('refuses another cluster\'s records and drops a record from an older epoch, going on with the current master\'s', async () => {
    const m = await master('c-theirs');
    for (let i = 0; i < 5; i++) await m.store.append(`s-${i}`, 0, [event(i)]);
    await until('published', () => m.publisher.status().publishedPosition === 5);
    const wrong = await follower('c-ours', m.topic, 'replica-w');
    await until('a refusal', () => wrong.follower.status().lastRefusal !== null);
    expect(wrong.follower.status().lastRefusal).toMatchObject({ reason: 'wrong_cluster' });
    expect((await wrong.replica.head()).position).toBe(0);

    // A master at epoch 1, then a record of epoch 0 that links (an old master writing on): dropped.
    const e = await master('c-epoch');
    await e.store.append('a', 0, [event(1, 1)]);
    await until('published', () => e.publisher.status().publishedPosition === 1);
    const [first] = await e.store.readFrom(0, 1);
    const { computeRecordHash } = await import('@twofold/event-store');
    const body = { position: 2, streamId: 'old', streamVersion: 1, type: 'Tick', schemaVersion: 1, payload: { i: 2 }, metadata: { actor: 'admin:1', nodeId: 'old-master', epoch: 0 }, timestamp: new Date().toISOString(), prevHash: first.hash };
    const producer = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: e.topic, messages: [toKafkaMessage({ ...body, hash: computeRecordHash(body) }, 'c-epoch')] });
    await producer.disconnect();
    const r = await follower('c-epoch', e.topic, 'replica-e');
    await until('the stale record seen', () => r.follower.status().droppedStale === 1);
    expect(await r.replica.readFrom(0, 10)).toEqual([first]);
    // The epoch-1 master's next record (position 2 too) is applied after it.
    await e.store.append('b', 0, [event(2, 1)]);
    await until('replica at 2', async () => (await r.replica.head()).position === 2);
    expect(await r.replica.readFrom(0, 10)).toEqual(await e.store.readFrom(0, 10));
    expect(r.follower.status()).toMatchObject({ lastRefusal: null, droppedStale: 1 });
  });

  // A server stops its follower when it changes master or sets a divergent tail aside, at whatever
  // point of a session the follower is; a stop() that never returned kept that node on its old master.
  it.each(['head', 'connect', 'subscribe'] as const)('stops while a session is at "%s", and follows again after start()', async (step) => {
    const m = await master(`c-stop-${step}`);
    for (let i = 0; i < 5; i++) await m.store.append(`s-${i}`, 0, [event(i)]);
    await until('published', () => m.publisher.status().publishedPosition === 5);
    let reached!: () => void;
    let release!: () => void;
    const atStep = new Promise<void>((r) => { reached = r; });
    const released = new Promise<void>((r) => { release = r; });
    let holding = true;
    const held = async <T>(at: typeof step, go: () => Promise<T>): Promise<T> => {
      if (holding && at === step) {
        holding = false;
        reached();
        await released;
      }
      return go();
    };
    const replica = await store();
    const gated = new Proxy(replica, { get: (t, p) => (p === 'head' ? () => held('head', () => t.head()) : Reflect.get(t, p, t)) });
    const kafka = connectKafka({ brokers: broker.brokers });
    const consumer = kafka.consumer.bind(kafka);
    kafka.consumer = (config) => {
      const c = consumer(config);
      const { connect, subscribe } = c;
      return Object.assign(c, { connect: () => held('connect', connect), subscribe: (s: Parameters<typeof subscribe>[0]) => held('subscribe', () => subscribe(s)) });
    };
    const f = new KafkaLogFollower({ kafka, topic: m.topic, clusterId: `c-stop-${step}`, nodeId: `replica-${step}`, store: gated, logger: quiet, retry: { minMs: 100, maxMs: 1000 } });
    f.start();
    await atStep;
    const stopping = f.stop();
    release();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([stopping.then(() => 'stopped'), new Promise((r) => { timer = setTimeout(() => r('still running'), 20_000); })]);
    clearTimeout(timer);
    expect(outcome).toBe('stopped');
    expect((await replica.head()).position).toBe(0);

    f.start();
    open.push(f);
    await until('replica at 5', async () => (await replica.head()).position === 5);
  });
});
