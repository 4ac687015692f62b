import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { twofold } from '../../support/cli';
import { addRadiusClient } from '../../support/radius-tools';
import { freePort } from '../../support/ports';
import { ServerProcess } from '../../support/server-process';
import { eventually } from '../../support/eventually';
import { createHotpUsers, type HotpUser } from './sign-in-load';
export { eventually };

export interface NodeSpec { name: string; dir: string; httpPort: number; replicationPort: number; radiusPort: number; env: Record<string, string> }


export const head = async (node: ServerProcess) => (await node.api('GET', '/admin/v1/status')).body.logHead as { position: number; hash: string };
export const status = async (node: ServerProcess) => (await node.api('GET', '/admin/v1/status')).body;

// Joins a new node to `master` with the CLI. `advertise` overrides the ports the node tells the
// cluster it is reached on (a test proxy in front of it).
export async function joinNode(master: ServerProcess, name: string, joinVia = master.httpPort, advertise?: { httpPort: number; replicationPort: number }): Promise<NodeSpec> {
  const spec: NodeSpec = { name, dir: join(mkdtempSync(join(tmpdir(), `twofold-${name}-`)), 'data'), httpPort: await freePort(), replicationPort: await freePort(), radiusPort: await freePort(), env: { TWOFOLD_NODE_NAME: name } };
  const issued = await master.api('POST', '/admin/v1/cluster/join-tokens', { name });
  if (issued.status !== 201) throw new Error(`join token for ${name}: ${issued.status} ${issued.text}`);
  const joined = await twofold(['--data-dir', spec.dir, '--json', 'join', '--master', `127.0.0.1:${joinVia}`, '--token', issued.body.token, '--advertise-host', '127.0.0.1',
    '--http-port', String(advertise?.httpPort ?? spec.httpPort), '--replication-port', String(advertise?.replicationPort ?? spec.replicationPort)]);
  if (joined.code !== 0) throw new Error(`join ${name}: ${joined.stderr}`);
  return spec;
}

export function startNode(spec: NodeSpec, adminToken: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return ServerProcess.start({ dataDir: spec.dir, adminToken, httpPort: spec.httpPort, replicationPort: spec.replicationPort, radiusPort: spec.radiusPort, env: { ...spec.env, ...env } });
}

// Runs `more` on a node just started and kills the node if that fails: the caller has no handle on it yet.
async function orKill<T>(node: ServerProcess, more: () => Promise<T>): Promise<T> {
  try {
    return await more();
  } catch (error) {
    await node.stop('SIGKILL');
    throw error;
  }
}

// A master and one slave that joined it with the CLI, both running.
export async function startMasterAndSlave(names = { master: 'master1', slave: 'slave1' }): Promise<{ master: ServerProcess; slave: ServerProcess }> {
  const master = await ServerProcess.start({ env: { TWOFOLD_NODE_NAME: names.master } });
  return orKill(master, async () => ({ master, slave: await startNode(await joinNode(master, names.slave), master.adminToken) }));
}

// A master named m1 that takes RADIUS from loopback over `secret`, with no first factor.
export async function startRadiusMaster(secret: string): Promise<ServerProcess> {
  const master = await ServerProcess.start({ env: { TWOFOLD_NODE_NAME: 'm1' } });
  await orKill(master, () => addRadiusClient(master, { name: 'loopback', address: '127.0.0.1', secret, firstFactor: 'none' }));
  return master;
}

// A slave left alone: m1 (startRadiusMaster) with `count` HOTP users, s1 joined to it and at its
// head, then m1 killed (SIGKILL). s1 answers sign-ins by itself and keeps their outcomes in its outbox.
export async function slaveAlone(secret: string, userPrefix: string, count: number): Promise<{ master: ServerProcess; slave: ServerProcess; spec: NodeSpec; users: HotpUser[] }> {
  const master = await startRadiusMaster(secret);
  return orKill(master, async () => {
    const users = await createHotpUsers(master, userPrefix, count);
    const spec = await joinNode(master, 's1');
    const slave = await startNode(spec, master.adminToken);
    await orKill(slave, () => untilCaughtUp(master, slave));
    await master.stop('SIGKILL');
    return { master, slave, spec, users };
  });
}

// For an afterAll: kills (SIGKILL) each node that was started, in the order given.
export async function killAll(...nodes: Array<ServerProcess | undefined>): Promise<void> {
  for (const node of nodes) await node?.stop('SIGKILL');
}

// Waits until every slave holds the master's head as it is now.
export async function untilCaughtUp(master: ServerProcess, ...slaves: ServerProcess[]): Promise<void> {
  const target = (await head(master)).position;
  for (const slave of slaves) await eventually(`${slave.httpPort} to catch up`, async () => (await head(slave)).position >= target);
}
