import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess } from '../support/server-process';
import { freePort } from '../support/ports';
import { twofold } from '../support/cli';
import { addRadiusClient, createRadiusUser, hasOathtool, hasRadclient, oathtoolTotp, radclient } from '../support/radius-tools';

// TWOFOLD_REPLICATION_SYNC_SLAVES=1: a write is acknowledged only once a slave holds it durably,
// so a promotion can lose nothing that was acknowledged.
describe('synchronous replication', () => {
  let master: ServerProcess;
  let slave: ServerProcess | undefined;

  afterAll(async () => {
    await slave?.stop('SIGKILL');
    await master?.stop('SIGKILL');
  });

  // Synchronous mode covers administrative writes. A sign-in's security record is durable on the
  // master at once and replicated as soon as possible: no slave connected must not fail a sign-in.
  (hasRadclient && hasOathtool ? it : it.skip)('answers a sign-in Accept with no slave connected', async () => {
    const setup = await ServerProcess.start();
    await addRadiusClient(setup, { name: 'loopback', address: '127.0.0.1', secret: 'sync-secret', firstFactor: 'none' });
    const { secret } = await createRadiusUser(setup, 'sam', { totp: true });
    await setup.stop();
    master = await ServerProcess.start({ dataDir: setup.dataDir, adminToken: setup.adminToken, httpPort: setup.httpPort, radiusPort: setup.radiusPort,
      env: { TWOFOLD_REPLICATION_SYNC_SLAVES: '1', TWOFOLD_REPLICATION_SYNC_TIMEOUT_MS: '2000' } });
    // One try of 2 s: an answer held back for a slave acknowledgement (2 s here) is a failed sign-in.
    const answer = await radclient(master.radiusPort, 'sync-secret', { 'User-Name': 'sam', 'User-Password': oathtoolTotp(secret!), 'Message-Authenticator': '0x00' }, { timeoutS: 2, retries: 1 });
    expect(answer.code).toBe('Access-Accept');
    await master.stop('SIGKILL');
  });

  it('does not acknowledge a write no slave holds, and acknowledges once one does', async () => {
    master = await ServerProcess.start({ env: { TWOFOLD_REPLICATION_SYNC_SLAVES: '1', TWOFOLD_REPLICATION_SYNC_TIMEOUT_MS: '500' } });
    const alone = await master.api('POST', '/admin/v1/users', { username: 'unconfirmed' });
    expect(alone.status).toBe(503);
    expect(alone.body.code).toBe('ack_timeout');
    expect(alone.body.detail).toMatch(/not confirmed by 1 slave/);

    // Membership does not wait: the first slave can join.
    const issued = await master.api('POST', '/admin/v1/cluster/join-tokens', { name: 'sync1' });
    expect(issued.status).toBe(201);
    const dir = join(mkdtempSync(join(tmpdir(), 'twofold-sync-')), 'data');
    const [httpPort, replicationPort] = [await freePort(), await freePort()];
    const joined = await twofold(['--data-dir', dir, 'join', '--master', `127.0.0.1:${master.httpPort}`, '--token', issued.body.token,
      '--advertise-host', '127.0.0.1', '--http-port', String(httpPort), '--replication-port', String(replicationPort)]);
    expect(joined.code).toBe(0);
    slave = await ServerProcess.start({ dataDir: dir, adminToken: master.adminToken, httpPort, replicationPort, env: { TWOFOLD_NODE_NAME: 'sync1' } });

    const confirmed = await master.api('POST', '/admin/v1/users', { username: 'confirmed' });
    expect(confirmed.status).toBe(201);
    // Acknowledged means the slave already holds it.
    const onSlave = await slave.api('GET', '/admin/v1/status');
    expect(onSlave.body.logHead.position).toBeGreaterThanOrEqual((await master.api('GET', '/admin/v1/status')).body.logHead.position);
  });
});
