import { join } from 'node:path';
import { twofold } from '../support/cli';
import { freePort } from '../support/ports';
import { ServerProcess } from '../support/server-process';
import { eventually, head, joinNode, startNode, status, type NodeSpec } from './support/cluster-nodes';
import { TcpProxy } from './support/tcp-proxy';

// A master and two slaves; s1 is stopped while the master writes on (s2 holds those writes), the
// master is lost, s1 comes back and is promoted. s2's HTTPS port sits behind a relay that passes
// small answers (its log head) but cuts every long transfer (a page of its log): s2 says it is
// ahead, yet its records cannot be fetched. The promotion must refuse and name s2; `--force`
// promotes anyway, says so in the log, and s2 then sets aside what only it held.
describe('promotion when a peer is ahead but its log cannot be fetched', () => {
  jest.setTimeout(120_000);
  const nodes: Record<string, ServerProcess> = {};
  let proxy: TcpProxy | undefined;

  afterAll(async () => {
    for (const node of Object.values(nodes)) await node.stop('SIGKILL');
    await proxy?.close();
  });

  it('refuses, naming the node ahead; --force promotes and records the forcing in the log', async () => {
    nodes.m1 = await ServerProcess.start({ env: { TWOFOLD_NODE_NAME: 'm1' } });
    const { adminToken } = nodes.m1;
    const caFile = join(nodes.m1.dataDir, 'tls/ca.pem');
    proxy = await TcpProxy.start(0);
    const s2Replication = await freePort();
    const [s1Spec, s2Spec]: NodeSpec[] = await Promise.all([joinNode(nodes.m1, 's1'), joinNode(nodes.m1, 's2', undefined, { httpPort: proxy.port, replicationPort: s2Replication })]);
    s2Spec.replicationPort = s2Replication;
    proxy.targetPort = s2Spec.httpPort;
    [nodes.s1, nodes.s2] = await Promise.all([startNode(s1Spec, adminToken), startNode(s2Spec, adminToken)]);
    const joined = await head(nodes.m1);
    for (const n of ['s1', 's2']) await eventually(`${n} caught up`, async () => (await head(nodes[n])).position >= joined.position);

    // s1 stops; the master acknowledges writes that only s2 receives; then the master is lost.
    await nodes.s1.stop();
    const onlyOnS2: string[] = [];
    for (let i = 0; i < 40; i++) onlyOnS2.push(`only-s2-${i}`);
    const written = await Promise.all(onlyOnS2.map((username) => nodes.m1.api('POST', '/admin/v1/users', { username })));
    expect(written.map((r) => r.status)).toEqual(onlyOnS2.map(() => 201));
    const masterHead = await head(nodes.m1);
    await eventually('s2 holds every write', async () => (await head(nodes.s2)).position >= masterHead.position);
    await nodes.m1.stop('SIGKILL');
    nodes.s1 = await startNode(s1Spec, adminToken);
    const s1Head = await head(nodes.s1);
    expect(s1Head.position).toBeLessThan(masterHead.position);

    // A log head passes the relay; a page of 40 users' records does not.
    proxy.maxReplyBytes = 24_000;
    const cli = (args: string[]) => twofold(['--url', nodes.s1.url, '--token', adminToken, '--ca', caFile, ...args]);
    const refused = await cli(['promote']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/s2 is ahead \(position \d+\) but its log after position \d+ could not be fetched/);
    expect(refused.stderr).toMatch(/promote s2 instead, or use --force/);
    expect(proxy.cutConnections).toBeGreaterThan(0);
    const afterRefusal = await status(nodes.s1);
    expect({ role: afterRefusal.role, epoch: afterRefusal.epoch, head: afterRefusal.logHead.position }).toEqual({ role: 'slave', epoch: 0, head: s1Head.position });
    expect((await nodes.s1.api('POST', '/admin/v1/users', { username: 'not-yet' })).status).toBe(503);

    const forced = await cli(['--json', 'promote', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.json()).toEqual({ role: 'master', epoch: 1 });
    expect((await nodes.s1.api('POST', '/admin/v1/users', { username: 'after-force' })).status).toBe(201);
    // What only s2 held is not in the new master's history (that is what --force costs).
    expect((await nodes.s1.api('GET', `/admin/v1/users/${onlyOnS2[0]}`)).status).toBe(404);

    // The epoch record says who forced it past whom: `twofold log tail` shows it.
    const tail = await twofold(['--data-dir', s1Spec.dir, '--json', 'log', 'tail', '-n', '5']);
    expect(tail.code).toBe(0);
    const epochRecord = tail.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'ClusterEpochStarted');
    expect(epochRecord?.payload).toMatchObject({ epoch: 1, masterNodeName: 's1' });
    expect(epochRecord?.metadata.actor).toMatch(/\(forced; ahead: s2\)$/);
    const plain = await twofold(['--data-dir', s1Spec.dir, 'log', 'tail', '-n', '5']);
    expect(plain.stdout).toMatch(/ClusterEpochStarted.*\(forced; ahead: s2\)/);

    // s2 follows the new master and sets aside the records only it held; `twofold status` lists them.
    proxy.maxReplyBytes = Infinity;
    await eventually('s2 follows s1 with its tail set aside', async () => {
      const s = await status(nodes.s2);
      return s.epoch === 1 && s.replication?.connected && s.setAside.length > 0;
    }, 60_000);
    const s2Status = await twofold(['--url', `https://127.0.0.1:${s2Spec.httpPort}`, '--token', adminToken, '--ca', caFile, 'status']);
    expect(s2Status.stdout).toMatch(new RegExp(`set aside:\\s+${onlyOnS2.length} events`));
    expect((await nodes.s2.api('GET', `/admin/v1/users/${onlyOnS2[0]}`)).status).toBe(404);
  });
});
