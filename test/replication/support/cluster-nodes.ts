import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { twofold } from '../../support/cli';
import { freePort } from '../../support/ports';
import { ServerProcess } from '../../support/server-process';
import { eventually } from '../../support/eventually';
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

// Waits until every slave holds the master's head as it is now.
export async function untilCaughtUp(master: ServerProcess, ...slaves: ServerProcess[]): Promise<void> {
  const target = (await head(master)).position;
  for (const slave of slaves) await eventually(`${slave.httpPort} to catch up`, async () => (await head(slave)).position >= target);
}
