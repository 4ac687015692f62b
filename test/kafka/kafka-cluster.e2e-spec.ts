import { ServerProcess } from '../support/server-process';
import { twofold } from '../support/cli';
import { addRadiusClient, createRadiusUser, hasRadclient, radclient } from '../support/radius-tools';
import { describeWithKafka, TestBroker } from '../support/kafka/broker';
import { eventually, head, joinNode, startNode, status, type NodeSpec } from '../replication/support/cluster-nodes';

// Issue 12: slaves that read the log from Kafka (TWOFOLD_REPLICATION_SOURCE=kafka) beside a slave
// on the fixed port, real server processes and a real broker: the same read models, security events
// still upstream over the fixed port, a broker crash that stops nobody, and a promotion whose old
// master left a divergent tail on the topic.
const SECRET = 'kafka-cluster-e2e-secret';
const describeIfTools = hasRadclient ? describeWithKafka : describe.skip;

async function users(node: ServerProcess): Promise<string[]> {
  const answer = await node.api('GET', '/admin/v1/users?limit=500');
  expect(answer.status).toBe(200);
  const items = (answer.body.items ?? answer.body) as Array<{ username: string; locked?: boolean; version?: number }>;
  return items.map((u) => JSON.stringify(u)).sort();
}

async function sameHead(nodes: ServerProcess[], timeoutMs = 60_000): Promise<{ position: number; hash: string }> {
  return eventually('every node at the same head', async () => {
    const heads = await Promise.all(nodes.map(head));
    return heads.every((h) => h.position === heads[0].position && h.hash === heads[0].hash) ? heads[0] : undefined;
  }, timeoutMs);
}

describeIfTools('slaves following the log from Kafka', () => {
  let broker: TestBroker;
  let master: ServerProcess;
  const specs: Record<string, NodeSpec> = {};
  const nodes: Record<string, ServerProcess> = {};
  let kafkaEnv: Record<string, string>;
  const start = async (name: string) => {
    nodes[name] = await startNode(specs[name], master.adminToken, name.startsWith('k') ? { ...kafkaEnv, TWOFOLD_REPLICATION_SOURCE: 'kafka' } : kafkaEnv);
    return nodes[name];
  };

  beforeAll(async () => {
    broker = await TestBroker.start();
    kafkaEnv = { TWOFOLD_KAFKA_BROKERS: broker.brokers };
    master = await ServerProcess.start({ env: { TWOFOLD_NODE_NAME: 'm1', ...kafkaEnv } });
    await master.api('PATCH', '/admin/v1/settings', { lockout: { failuresBeforeLockout: 3 } });
    await addRadiusClient(master, { name: 'loopback', address: '127.0.0.1', secret: SECRET, firstFactor: 'none' });
    for (const name of ['k1', 'k2', 'f1']) specs[name] = await joinNode(master, name);
    await Promise.all(['k1', 'k2', 'f1'].map(start));
  });

  afterAll(async () => {
    for (const node of [...Object.values(nodes), master]) await node?.stop('SIGKILL');
    await broker?.destroy();
  });

  it('builds on two Kafka-following slaves and one fixed-port slave the master\'s read models, identical', async () => {
    await createRadiusUser(master, 'alice', { totp: true });
    for (let i = 0; i < 10; i++) expect((await master.api('POST', '/admin/v1/users', { username: `user${i}` })).status).toBe(201);
    const all = [master, nodes.k1, nodes.k2, nodes.f1];
    const at = await sameHead(all);
    const expected = await users(master);
    expect(expected.length).toBe(11);
    for (const node of all.slice(1)) expect(await users(node)).toEqual(expected);

    for (const k of [nodes.k1, nodes.k2]) {
      // The fixed-port connection to the master carries only what goes upstream; it is up too.
      const s = await eventually('following and connected upstream', async () => { const x = await status(k); return x.kafka.following?.connected && x.replication?.connected ? x : undefined; });
      expect(s.role).toBe('slave');
      expect(s.kafka.following).toMatchObject({ connected: true, localHead: at.position, lastRefusal: null });
      expect(s.replication).toMatchObject({ connected: true, localHead: at.position });
      const metrics = String((await k.api('GET', '/metrics')).body);
      expect(metrics).toMatch(/^twofold_kafka_following_connected 1$/m);
      expect(metrics).toMatch(/^twofold_kafka_publish_lag_events 0$/m); // not the master: it does not publish
    }
    expect((await status(nodes.f1)).kafka).toMatchObject({ publishing: false, following: null });
    const line = await twofold(['--url', nodes.k1.url, '--token', nodes.k1.adminToken, '--ca', `${nodes.k1.dataDir}/tls/ca.pem`, 'status']);
    expect(line.code).toBe(0);
    expect(line.stdout).toMatch(new RegExp(`kafka:\\s+twofold\\.\\S+\\.log: following, local head ${at.position}`));
  });

  it('sends a lockout caused on a Kafka-following slave to the master over the fixed port; it reaches every node', async () => {
    await createRadiusUser(master, 'carol', { totp: true });
    await sameHead([master, nodes.k1]);
    const pap = (password: string) => radclient(nodes.k1.radiusPort, SECRET, { 'User-Name': 'carol', 'User-Password': password, 'Message-Authenticator': '0x00' }, { timeoutS: 3 });
    for (let i = 0; i < 3; i++) expect((await pap('000000')).code).toBe('Access-Reject');
    expect((await pap('111111')).replyMessage).toMatch(/locked/);
    for (const node of [master, nodes.k1, nodes.k2, nodes.f1]) {
      await eventually(`carol locked on ${node.httpPort}`, async () => (await node.api('GET', '/admin/v1/users/carol')).body.locked === true);
    }
    await eventually('the outbox on k1 empty', async () => (await status(nodes.k1)).pendingSecurityEvents === 0);
  });

  it('keeps the master and the fixed-port slave going while the broker is down; the Kafka slaves catch up after, no gap, no duplicate', async () => {
    await sameHead([master, nodes.k1, nodes.k2, nodes.f1]);
    await broker.stop({ kill: true });
    for (let i = 0; i < 5; i++) expect((await master.api('POST', '/admin/v1/users', { username: `outage${i}` })).status).toBe(201);
    const during = await head(master);
    await sameHead([master, nodes.f1]);
    const lagging = await status(master);
    expect(lagging.kafka.lagEvents).toBeGreaterThanOrEqual(5);
    expect(String((await master.api('GET', '/metrics')).body)).toMatch(/^twofold_kafka_publish_lag_events [1-9]\d*$/m);
    expect((await head(nodes.k1)).position).toBeLessThan(during.position);

    await broker.restart();
    const at = await sameHead([master, nodes.k1, nodes.k2, nodes.f1], 90_000);
    expect(at.position).toBe(during.position);
    for (const k of [nodes.k1, nodes.k2]) expect(await users(k)).toEqual(await users(master));
    await eventually('publishing lag 0', async () => (await status(master)).kafka.lagEvents === 0);
  });

  it('after a promotion, sets aside on the Kafka slaves the old master\'s tail that the topic carried, and follows the new master', async () => {
    await sameHead([master, nodes.k1, nodes.k2, nodes.f1]);
    // f1 (to be promoted) and k2 go away; the master writes what only the topic and k1 will hold.
    await nodes.f1.stop('SIGKILL');
    await nodes.k2.stop('SIGKILL');
    for (const name of ['ghost1', 'ghost2', 'ghost3']) expect((await master.api('POST', '/admin/v1/users', { username: name })).status).toBe(201);
    const oldHead = await head(master);
    await eventually('k1 holds the ghosts', async () => (await head(nodes.k1)).position === oldHead.position);
    await nodes.k1.stop('SIGKILL');
    await master.stop('SIGKILL');

    // f1 comes back alone and is promoted; it publishes from its own head under epoch 1.
    const f1 = await start('f1');
    expect((await f1.api('POST', '/admin/v1/cluster/promote')).body).toEqual({ role: 'master', epoch: 1 });
    expect((await f1.api('POST', '/admin/v1/users', { username: 'after' })).status).toBe(201);
    await eventually('f1 published', async () => { const s = await status(f1); return s.kafka.publishing && s.kafka.lagEvents === 0 && s.kafka.publishedPosition === s.logHead.position; }, 60_000);

    // k1 (holds the ghosts) and k2 (will read them first from the topic) come back.
    const k1 = await start('k1');
    const k2 = await start('k2');
    await eventually('k1 and k2 follow the new master', async () => (await k1.api('GET', '/admin/v1/users/after')).status === 200 && (await k2.api('GET', '/admin/v1/users/after')).status === 200, 90_000).catch((err: Error) => {
      throw new Error(`${err.message}; last warnings: ${[k1, k2].map((k) => JSON.stringify(k.logLines().filter((l) => l.level === 'warn').slice(-3))).join(' | ')}`);
    });
    const at = await sameHead([f1, k1, k2], 60_000);
    for (const k of [k1, k2]) {
      expect((await k.api('GET', '/admin/v1/users/ghost1')).status).toBe(404);
      expect(await users(k)).toEqual(await users(f1));
      const s = await status(k);
      expect(s.epoch).toBe(1);
      expect(s.kafka.following).toMatchObject({ localHead: at.position });
    }
    const k1Status = await status(k1);
    expect(k1Status.setAside).toHaveLength(1);
    expect(k1Status.setAside[0]).toMatchObject({ count: 3, toPosition: oldHead.position });
    // The promoted master did not re-send the shared history: the topic holds the old log once.
    await f1.waitForLog('kafka: the topic already holds this log up to here; publishing from there');
    const verified = await twofold(['--data-dir', k1.dataDir, 'log', 'verify']);
    expect(verified.code).toBe(0);
  });
});
