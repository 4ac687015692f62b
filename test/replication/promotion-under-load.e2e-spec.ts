import type { ServerProcess } from '../support/server-process';
import { eventually, killAll, slaveAlone, status } from './support/cluster-nodes';
import { SignInLoad } from './support/sign-in-load';

// A master and a slave; the master is killed; the slave answers HOTP sign-ins over RADIUS and
// builds up an outbox of security events; then it is promoted while the sign-ins go on. Every
// sign-in must be answered Accept (none lost to the promotion), the promoted node takes a write,
// and its outbox ends in its log. Worst gap and first-write delay are printed, not asserted.
const SECRET = 'promotion-load-secret';

describe('promoting a slave under RADIUS load', () => {
  jest.setTimeout(120_000);
  let master: ServerProcess;
  let slave: ServerProcess;

  afterAll(() => killAll(slave, master));

  it('answers every sign-in while it promotes and appends its outbox, and takes writes right after', async () => {
    const alone = await slaveAlone(SECRET, 'load', 24);
    ({ master, slave } = alone);
    const { users } = alone;

    const load = new SignInLoad(slave.radiusPort, SECRET, users);
    await load.start();
    await load.untilAnswered(600); // security events waiting in the slave's outbox
    const before = await status(slave);
    expect(before.pendingSecurityEvents).toBeGreaterThan(0);

    const commandAt = Date.now();
    const promoted = await slave.api('POST', '/admin/v1/cluster/promote');
    expect(promoted.body).toEqual({ role: 'master', epoch: 1 });
    const promotedMs = Date.now() - commandAt;
    let firstWriteMs = -1;
    for (let i = 0; firstWriteMs < 0; i++) {
      const write = await slave.api('POST', '/admin/v1/users', { username: `after-promotion-${i}` });
      if (write.status === 201) firstWriteMs = Date.now() - commandAt;
      else expect(write.status).toBe(503);
    }
    await eventually('the outbox appended', async () => (await status(slave)).pendingSecurityEvents === 0);
    await load.untilAnswered(200);
    const report = await load.stop();
    console.log(`promotion under load: ${report.answered} sign-ins, worst gap ${report.worstGapMs} ms, promote answered after ${promotedMs} ms, first write ${firstWriteMs} ms after the command, outbox ${before.pendingSecurityEvents}`);

    expect(report.failures).toEqual([]);
    expect(report.accepted).toBe(report.answered);
    // Every outage sign-in is in the promoted node's log: its HOTP counters there are the ones used.
    const token = (await slave.api('GET', `/admin/v1/users/${users[0].username}/tokens`)).body[0];
    expect(token.lastUsedCounter).toBe(users[0].counter - 1);
  });
});
