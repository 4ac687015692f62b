// Failover benchmark (issue 16): a master and two slaves as real server processes, HOTP sign-ins
// over RADIUS on each slave at a steady rate, the master killed with SIGKILL, and `promote` on
// slave 1 a few seconds later while its load goes on. Prints, for the promoted node and the other
// slave: the worst time without any answer, the fewest answers in any 250 ms after the command,
// p99 before and after, failed sign-ins, and the time from the command to the first accepted write.
// `npm run bench:failover [-- --users 24 --pause-ms 150 --outage-s 6 --after-s 8]`. Asserts nothing.
import { addRadiusClient } from '../support/radius-tools';
import { ServerProcess } from '../support/server-process';
import { eventually, head, joinNode, startNode, status } from '../replication/support/cluster-nodes';
import { createHotpUsers, SignInLoad, type LoadReport } from '../replication/support/sign-in-load';
import { arg } from './bench-args';

const SECRET = 'bench-failover-secret';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function p99(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
}

// What one node's clients saw, split at the promote command.
function summarize(name: string, report: LoadReport, loadStartedAt: number, commandAt: number): string {
  const before = report.latencies.filter((l) => l.at < commandAt).map((l) => l.ms);
  const after = report.latencies.filter((l) => l.at >= commandAt).map((l) => l.ms);
  const firstBucketAfter = Math.ceil((commandAt - loadStartedAt) / 250);
  const bucketsAfter = report.perBucket.slice(firstBucketAfter, -1); // the last bucket is cut short
  const answers = report.latencies.map((l) => l.at).filter((t) => t >= commandAt).sort((a, b) => a - b);
  let worstGapAfter = answers.length ? answers[0] - commandAt : NaN;
  for (let i = 1; i < answers.length; i++) worstGapAfter = Math.max(worstGapAfter, answers[i] - answers[i - 1]);
  return `${name}: ${report.answered} answered, ${report.failed} failed; worst gap after the command ${worstGapAfter} ms; `
    + `fewest answers in a 250 ms window after it ${Math.min(...bucketsAfter)}; p99 before ${p99(before)} ms, after ${p99(after)} ms`;
}

async function main(): Promise<void> {
  const users = arg('users', 24, 0);
  const pauseMs = arg('pause-ms', 150, 0);
  const outageMs = arg('outage-s', 6, 0) * 1000;
  const afterMs = arg('after-s', 8, 0) * 1000;
  const nodes: ServerProcess[] = [];
  try {
    const master = await ServerProcess.start({ env: { TWOFOLD_NODE_NAME: 'm1' } });
    nodes.push(master);
    await addRadiusClient(master, { name: 'loopback', address: '127.0.0.1', secret: SECRET, firstFactor: 'none' });
    const usersS1 = await createHotpUsers(master, 'one', users);
    const usersS2 = await createHotpUsers(master, 'two', users);
    const s1 = await startNode(await joinNode(master, 's1'), master.adminToken);
    nodes.push(s1);
    const s2 = await startNode(await joinNode(master, 's2'), master.adminToken);
    nodes.push(s2);
    const target = await head(master);
    for (const s of [s1, s2]) await eventually('the slaves at the master head', async () => (await head(s)).position >= target.position, 60_000);

    const load1 = new SignInLoad(s1.radiusPort, SECRET, usersS1, 3000, pauseMs);
    const load2 = new SignInLoad(s2.radiusPort, SECRET, usersS2, 3000, pauseMs);
    const loadStartedAt = Date.now();
    await Promise.all([load1.start(), load2.start()]);
    await sleep(5000); // steady state with the master up
    await master.stop('SIGKILL');
    await sleep(outageMs); // the slaves answer on their own and fill their outboxes
    const pending = (await status(s1)).pendingSecurityEvents;

    const commandAt = Date.now();
    const promoted = await s1.api('POST', '/admin/v1/cluster/promote');
    const promoteMs = Date.now() - commandAt;
    let firstWriteMs = -1;
    for (let i = 0; firstWriteMs < 0 && Date.now() - commandAt < 30_000; i++) {
      const write = await s1.api('POST', '/admin/v1/users', { username: `after-promotion-${i}` });
      if (write.status === 201) firstWriteMs = Date.now() - commandAt;
    }
    await sleep(afterMs);
    const [r1, r2] = await Promise.all([load1.stop(), load2.stop()]);
    const rate = (r1.answered + r2.answered) / ((Date.now() - loadStartedAt) / 1000);

    console.log(`failover: master + 2 slaves, ${users} users per slave, ~${Math.round(rate)} sign-ins/s in all, master killed, promote after ${outageMs / 1000} s of outage (${pending} security events in s1's outbox)`);
    console.log(`promote answered ${promoted.status} after ${promoteMs} ms; first accepted write ${firstWriteMs} ms after the command`);
    console.log(summarize('promoted node s1', r1, loadStartedAt, commandAt));
    console.log(summarize('other slave s2', r2, loadStartedAt, commandAt));
    for (const [name, r] of [['s1', r1], ['s2', r2]] as const) if (r.failures.length) console.log(`${name} failures (first 10): ${r.failures.join('; ')}`);
  } finally {
    for (const node of nodes.reverse()) await node.stop('SIGKILL').catch(() => undefined);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
