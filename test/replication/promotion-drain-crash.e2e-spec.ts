import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { twofold } from '../support/cli';
import type { ServerProcess } from '../support/server-process';
import { eventually, killAll, slaveAlone, startNode, status } from './support/cluster-nodes';
import { SignInLoad } from './support/sign-in-load';

// A slave builds an outbox of sign-in records while its master is gone, is promoted, and is killed
// (SIGKILL) in the middle of appending that outbox: right after its second batch is durable and
// before the outbox forgets it. Restarted, it must append the rest: every item once, none twice.
const SECRET = 'drain-crash-secret';

describe('a crash while the promoted node appends its outbox', () => {
  jest.setTimeout(120_000);
  let master: ServerProcess | undefined;
  let slave: ServerProcess | undefined;

  afterAll(async () => {
    await killAll(slave, master);
    if (slave) writeFileSync(join(dirname(slave.dataDir), 'server.log'), slave.stdout.join(''));
  });

  it('loses no outbox item and appends none twice after the restart', async () => {
    const alone = await slaveAlone(SECRET, 'drain', 8);
    ({ master, slave } = alone);
    const { spec, users } = alone;

    const load = new SignInLoad(slave.radiusPort, SECRET, users);
    await load.start();
    await load.untilAnswered(350); // more than three drain batches
    const report = await load.stop();
    expect(report.failures).toEqual([]);
    const pending = (await status(slave)).pendingSecurityEvents as number;
    expect(pending).toBeGreaterThan(300);

    // Restarted with the crash point set; promoted; dies inside the drain.
    await slave.stop();
    slave = await startNode(spec, master.adminToken, { TEST_CRASH_IN_DRAIN: '2' });
    const crashed = slave;
    void crashed.api('POST', '/admin/v1/cluster/promote').catch(() => undefined);
    await eventually('the node killed in the drain', async () => crashed.child.exitCode !== null || crashed.child.signalCode !== null);
    expect(crashed.child.signalCode).toBe('SIGKILL');

    slave = await startNode(spec, master.adminToken);
    const resumed = await slave.waitForLog('resumed appending the outbox after an interruption: what was already in the log is not appended again', 30_000);
    expect(resumed).toMatchObject({ inLog: 100, stillPending: 0 });
    await eventually('the outbox appended', async () => (await status(slave!)).pendingSecurityEvents === 0);
    expect((await status(slave)).role).toBe('master');

    // Every outbox item is in the log once: records after the epoch record, by causation id.
    const exported = await twofold(['--data-dir', spec.dir, 'log', 'export']);
    expect(exported.code).toBe(0);
    const records = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const epochAt = records.findIndex((r) => r.type === 'ClusterEpochStarted' && r.payload.epoch === 1);
    expect(epochAt).toBeGreaterThan(0);
    const byCause = new Map<string, string[]>();
    for (const r of records.slice(epochAt + 1)) {
      const cause = r.metadata?.causationId;
      if (typeof cause === 'string') byCause.set(cause, [...(byCause.get(cause) ?? []), r.type]);
    }
    expect(byCause.size).toBe(pending);
    const twice = [...byCause.entries()].filter(([, types]) => new Set(types).size !== types.length);
    expect(twice).toEqual([]);
  });
});
