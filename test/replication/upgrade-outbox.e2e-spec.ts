import { join } from 'node:path';
import { openStorage } from '@twofold/event-store';
import { ServerProcess } from '../support/server-process';
import { cliFor } from '../support/cli';
import { createRadiusUser, oathtoolTotp, radclient } from '../support/radius-tools';
import { describeIfTools } from '../support/radius-suite';
import { eventually, joinNode, killAll, startNode, startRadiusMaster, status, untilCaughtUp } from './support/cluster-nodes';

// A slave upgraded while security events of the previous release (outbox rows with no version)
// still wait for the master: after the restart it enforces them at once, and once the master is
// back it delivers them as they were written; the master reads the old form and appends them in
// the sending node's name.
const SECRET = 'upgrade-outbox-secret';

describeIfTools('a slave upgraded with events of the previous release in its outbox', () => {
  let master: ServerProcess | undefined;
  let slave: ServerProcess | undefined;

  afterAll(() => killAll(slave, master));

  it('enforces them after the restart and the master appends them once it is back', async () => {
    master = await startRadiusMaster(SECRET);
    const { userId, secret } = await createRadiusUser(master, 'alice', { totp: true });
    const spec = await joinNode(master, 's1');
    slave = await startNode(spec, master.adminToken);
    await untilCaughtUp(master, slave); // alice and her token (a later write)
    const pap = (node: ServerProcess) => radclient(node.radiusPort, SECRET, { 'User-Name': 'alice', 'User-Password': oathtoolTotp(secret!), 'Message-Authenticator': '0x00' }, { timeoutS: 10, retries: 1 });
    await eventually('the slave serves RADIUS', async () => (await pap(slave!)).code === 'Access-Accept');

    // Both stop; the outbox is left as the previous release wrote it: kind + payload, no `v`.
    await slave.stop('SIGTERM');
    const masterPorts = { dataDir: master.dataDir, adminToken: master.adminToken, httpPort: master.httpPort, radiusPort: master.radiusPort, replicationPort: master.replicationPort };
    await master.stop('SIGTERM');
    const db = await openStorage({ sqlitePath: join(spec.dir, 'twofold.sqlite') });
    const at = new Date().toISOString();
    for (let i = 0; i < 5; i++) {
      await db.query('INSERT INTO replication_outbox (id, kind, payload, created_at) VALUES (?, ?, ?, ?)',
        [`old-${i}`, 'failed_attempt', JSON.stringify({ userId, reason: 'wrong one-time code', source: 'radius:loopback' }), at]);
    }
    await db.destroy();

    // The upgraded slave starts with its master still down: the five failures lock alice here at once.
    slave = await startNode(spec, masterPorts.adminToken);
    expect((await status(slave)).pendingSecurityEvents).toBe(5);
    const refused = await pap(slave);
    expect(refused.code).toBe('Access-Reject');
    expect(refused.replyMessage).toMatch(/locked after too many failed sign-in attempts/);

    // The master returns: it appends what the slave kept, in its name, each once.
    master = await ServerProcess.start({ ...masterPorts, env: { TWOFOLD_NODE_NAME: 'm1' } });
    await eventually('the outbox delivered', async () => (await status(slave!)).pendingSecurityEvents === 0, 60_000);
    const tail = await cliFor(master)(['--json', 'log', 'tail', '-n', '40']);
    const records = tail.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((r) => String(r.metadata.causationId ?? '').startsWith('old-'));
    expect(records.filter((r) => r.type === 'AuthenticationFailed').map((r) => r.metadata.causationId).sort()).toEqual(['old-0', 'old-1', 'old-2', 'old-3', 'old-4']);
    expect(records.every((r) => r.metadata.actor === 'node:s1')).toBe(true);
    expect(records.map((r) => r.type)).toContain('UserLockedOut');
    expect((await master.api('GET', '/admin/v1/users/alice')).body.locked).toBe(true);
  });
});
