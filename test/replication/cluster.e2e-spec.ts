import { mkdtempSync, readFileSync } from 'node:fs';
import { certificateFingerprint, issueCertificate } from '@twofold/platform';
import { httpsJson } from '../support/https-json';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess } from '../support/server-process';
import { freePort } from '../support/ports';
import { twofold } from '../support/cli';
import { addRadiusClient, createRadiusUser, oathtoolTotp, papWith } from '../support/radius-tools';
import { describeIfTools } from '../support/radius-suite';
import { eventually } from '../support/eventually';
import { head, untilCaughtUp } from './support/cluster-nodes';

// Three real server processes on loopback: a master and two slaves that joined it with the CLI.
// Writes replicate; a slave killed mid-stream catches up; with the master killed, RADIUS goes on
// on the slaves and writes fail fast; a promoted slave takes writes; the old master returns as a
// slave; a lockout caused on a slave reaches every node; every hash chain ends identical.
const SECRET = 'cluster-e2e-shared-secret';

describeIfTools('a three-node cluster', () => {
  let master: ServerProcess;
  let s1: ServerProcess;
  let s2: ServerProcess;
  let seed: string;
  const slaveSpec: Record<string, { dir: string; httpPort: number; replicationPort: number }> = {};
  const pap = papWith(SECRET, { timeoutS: 3 });

  const startSlave = (name: 's1' | 's2', token = master.adminToken) => ServerProcess.start({
    dataDir: slaveSpec[name].dir, adminToken: token, httpPort: slaveSpec[name].httpPort, replicationPort: slaveSpec[name].replicationPort,
    env: { TWOFOLD_NODE_NAME: name },
  });

  async function joinNode(name: 's1' | 's2'): Promise<void> {
    slaveSpec[name] = { dir: join(mkdtempSync(join(tmpdir(), `twofold-${name}-`)), 'data'), httpPort: await freePort(), replicationPort: await freePort() };
    const issued = await master.api('POST', '/admin/v1/cluster/join-tokens', { name });
    expect(issued.status).toBe(201);
    const joined = await twofold(['--data-dir', slaveSpec[name].dir, '--json', 'join', '--master', `127.0.0.1:${master.httpPort}`, '--token', issued.body.token,
      '--advertise-host', '127.0.0.1', '--http-port', String(slaveSpec[name].httpPort), '--replication-port', String(slaveSpec[name].replicationPort)]);
    expect(joined.stderr).toBe('');
    expect(joined.code).toBe(0);
    // A join token works once.
    const again = await twofold(['--data-dir', join(mkdtempSync(join(tmpdir(), 'twofold-again-')), 'data'), 'join', '--master', `127.0.0.1:${master.httpPort}`,
      '--token', issued.body.token, '--advertise-host', '127.0.0.1']);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already been used/);
  }

  beforeAll(async () => {
    master = await ServerProcess.start({ env: { TWOFOLD_NODE_NAME: 'm1' } });
    await master.api('PATCH', '/admin/v1/settings', { lockout: { failuresBeforeLockout: 3 } });
    await addRadiusClient(master, { name: 'loopback', address: '127.0.0.1', secret: SECRET, firstFactor: 'none' });
    seed = (await createRadiusUser(master, 'alice', { totp: true })).secret!;
    await createRadiusUser(master, 'carol', { totp: true });
    await joinNode('s1');
    await joinNode('s2');
    s1 = await startSlave('s1');
    s2 = await startSlave('s2');
  });

  afterAll(async () => {
    for (const node of [s1, s2, master]) await node?.stop('SIGKILL');
  });

  it('replicates writes on the master to both slaves', async () => {
    expect((await master.api('POST', '/admin/v1/users', { username: 'bob' })).status).toBe(201);
    for (const slave of [s1, s2]) {
      await eventually('bob on a slave', async () => (await slave.api('GET', '/admin/v1/users/bob')).status === 200);
      const status = (await slave.api('GET', '/admin/v1/status')).body;
      expect(status.role).toBe('slave');
    }
    const masterStatus = (await master.api('GET', '/admin/v1/status')).body;
    expect(masterStatus.role).toBe('master');
    expect(masterStatus.slaves.map((s: { nodeName: string }) => s.nodeName).sort()).toEqual(['s1', 's2']);
    const metrics = (await master.api('GET', '/metrics')).text;
    expect(metrics).toMatch(/twofold_replication_slave_lag_events\{slave="s1"\} \d+/);
    expect(metrics).toMatch(/twofold_cluster_is_master 1/);
  });

  it('forwards a write sent to a slave to the master', async () => {
    const created = await s2.api('POST', '/admin/v1/users', { username: 'dora' });
    expect(created.status).toBe(201);
    expect((await master.api('GET', '/admin/v1/users/dora')).status).toBe(200);
    await eventually('dora back on s2', async () => (await s2.api('GET', '/admin/v1/users/dora')).status === 200);
  });

  it('forwards SDK self-service from a slave to the master, client certificate and all, and replicates it back', async () => {
    const ca = { certPem: readFileSync(join(master.dataDir, 'tls/ca.pem'), 'utf8'), keyPem: readFileSync(join(master.dataDir, 'tls/ca.key.pem'), 'utf8') };
    const portal = issueCertificate(ca, 'portal', { client: true, server: false });
    const credential = await master.api('POST', '/admin/v1/sdk-credentials', { name: 'portal', scopes: ['authenticate', 'self-service'], certificateFingerprint: certificateFingerprint(portal.certPem) });
    expect(credential.status).toBe(201);
    const { secret } = await createRadiusUser(master, 'gina', { totp: true });
    // gina, her token (a write after the user's) and the credential, all on s2 before it is asked.
    await untilCaughtUp(master, s2);
    const sdk = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      httpsJson(method, `${s2.url}/sdk/v1/${path}`, { ca: ca.certPem, cert: portal.certPem, key: portal.keyPem, body, headers });
    const started = await sdk('POST', 'authentications', { username: 'gina' });
    expect(started.body.status).toBe('challenge');
    const accepted = await sdk('POST', 'authentications/answer', { challenge: started.body.challenge, code: oathtoolTotp(secret!) });
    expect(accepted.body.status).toBe('accepted');
    const changed = await sdk('PUT', 'self-service/phone', { number: '+4915112345678' }, { 'x-user-assertion': accepted.body.userAssertion });
    expect(changed.status).toBe(200);
    expect((await master.api('GET', '/admin/v1/users/gina')).body.phones[0].number).toBe('+4915112345678');
    await eventually('the phone back on s2', async () => (await s2.api('GET', '/admin/v1/users/gina')).body.phones[0]?.number === '+4915112345678');
  });

  it('catches up a slave killed with SIGKILL in the middle of the stream', async () => {
    const writes = Array.from({ length: 40 }, (_, i) => master.api('POST', '/admin/v1/users', { username: `burst${i}` }));
    await new Promise((r) => setTimeout(r, 150));
    await s1.stop('SIGKILL');
    await Promise.all(writes);
    s1 = await startSlave('s1');
    const target = await head(master);
    await eventually('s1 at the master head', async () => (await head(s1)).position === target.position);
    expect((await head(s1)).hash).toBe(target.hash);
    expect((await s1.api('GET', '/admin/v1/users?filter=burst&limit=100')).body.total).toBe(40);
  });

  it('locks a user out on a slave at once, and the lockout reaches every node', async () => {
    for (let i = 0; i < 3; i++) expect((await pap(s2, 'carol', '000000')).code).toBe('Access-Reject');
    const locked = await pap(s2, 'carol', '111111');
    expect(locked.code).toBe('Access-Reject');
    expect(locked.replyMessage).toMatch(/locked/);
    for (const node of [master, s1, s2]) {
      await eventually(`carol locked on ${node.httpPort}`, async () => (await node.api('GET', '/admin/v1/users/carol')).body.locked === true);
    }
  });

  it('keeps authenticating on the slaves when the master is killed, while writes fail fast with master_unavailable', async () => {
    await eventually('slaves at the master head', async () => {
      const h = await head(master);
      return (await head(s1)).position === h.position && (await head(s2)).position === h.position;
    });
    await master.stop('SIGKILL');
    const accepted = await pap(s1, 'alice', oathtoolTotp(seed));
    expect(accepted.code).toBe('Access-Accept');
    const next = await pap(s2, 'alice', oathtoolTotp(seed, 30));
    expect(next.code).toBe('Access-Accept');
    const write = await s2.api('POST', '/admin/v1/users', { username: 'erin' });
    expect(write.status).toBe(503);
    expect(write.body.code).toBe('master_unavailable');
  });

  it('promotes a slave with one command; writes succeed again and the other slave follows it', async () => {
    const promoted = await twofold(['--url', s1.url, '--token', s1.adminToken, '--ca', join(s1.dataDir, 'tls/ca.pem'), '--json', 'promote']);
    expect(promoted.code).toBe(0);
    expect(promoted.json()).toEqual({ role: 'master', epoch: 1 });
    expect((await s1.api('POST', '/admin/v1/users', { username: 'erin' })).status).toBe(201);
    await eventually('s2 follows s1', async () => (await s2.api('GET', '/admin/v1/users/erin')).status === 200, 40_000);
    expect((await s2.api('GET', '/admin/v1/status')).body.epoch).toBe(1);
  });

  it('brings the old master back as a slave that takes no writes of its own', async () => {
    master = await ServerProcess.start({ dataDir: master.dataDir, adminToken: master.adminToken, httpPort: master.httpPort, replicationPort: master.replicationPort, radiusPort: master.radiusPort });
    const status = (await master.api('GET', '/admin/v1/status')).body;
    expect(status.role).toBe('slave');
    expect(status.epoch).toBe(1);
    await eventually('old master has erin', async () => (await master.api('GET', '/admin/v1/users/erin')).status === 200);
    // A write sent to it is not appended there: it goes to the new master.
    expect((await master.api('POST', '/admin/v1/users', { username: 'fay' })).status).toBe(201);
    const fay = await s1.api('GET', '/admin/v1/users/fay');
    expect(fay.status).toBe(200);
  });

  it('ends with the same hash chain on every node', async () => {
    const target = await head(s1);
    for (const node of [s2, master]) await eventually('same head', async () => (await head(node)).position === target.position);
    const heads = await Promise.all([s1, s2, master].map(head));
    expect(new Set(heads.map((h) => h.hash)).size).toBe(1);
    for (const node of [s1, s2]) {
      const verified = await twofold(['--data-dir', node.dataDir, 'log', 'verify']);
      expect(verified.code).toBe(0);
    }
  });
});

describeIfTools('an old master whose history diverged', () => {
  let master: ServerProcess;
  let slave: ServerProcess;
  let slaveSpec: { dir: string; httpPort: number; replicationPort: number };

  afterAll(async () => {
    for (const node of [slave, master]) await node?.stop('SIGKILL');
  });

  it('sets the divergent tail aside (kept, shown in status, never replayed) and follows the new master', async () => {
    master = await ServerProcess.start({ env: { TWOFOLD_NODE_NAME: 'm1' } });
    slaveSpec = { dir: join(mkdtempSync(join(tmpdir(), 'twofold-d1-')), 'data'), httpPort: await freePort(), replicationPort: await freePort() };
    const issued = await master.api('POST', '/admin/v1/cluster/join-tokens', { name: 'd1' });
    const joined = await twofold(['--data-dir', slaveSpec.dir, 'join', '--master', `127.0.0.1:${master.httpPort}`, '--token', issued.body.token,
      '--advertise-host', '127.0.0.1', '--http-port', String(slaveSpec.httpPort), '--replication-port', String(slaveSpec.replicationPort)]);
    expect(joined.code).toBe(0);
    const startSlave = () => ServerProcess.start({ dataDir: slaveSpec.dir, adminToken: master.adminToken, httpPort: slaveSpec.httpPort, replicationPort: slaveSpec.replicationPort, env: { TWOFOLD_NODE_NAME: 'd1' } });
    slave = await startSlave();
    await master.api('POST', '/admin/v1/users', { username: 'shared' });
    await eventually('shared on the slave', async () => (await slave.api('GET', '/admin/v1/users/shared')).status === 200);

    // The slave goes away; the master takes writes nobody else will ever hold, then dies.
    await slave.stop('SIGKILL');
    for (const name of ['ghost1', 'ghost2', 'ghost3']) expect((await master.api('POST', '/admin/v1/users', { username: name })).status).toBe(201);
    const oldHead = await head(master);
    await master.stop('SIGKILL');

    // The slave comes back alone, is promoted, and takes writes of its own.
    slave = await startSlave();
    expect((await slave.api('POST', '/admin/v1/cluster/promote')).body).toEqual({ role: 'master', epoch: 1 });
    expect((await slave.api('POST', '/admin/v1/users', { username: 'after' })).status).toBe(201);

    // The old master returns: it learns of epoch 1, finds where the histories parted, and follows.
    master = await ServerProcess.start({ dataDir: master.dataDir, adminToken: master.adminToken, httpPort: master.httpPort, replicationPort: master.replicationPort });
    await eventually('old master follows', async () => (await master.api('GET', '/admin/v1/users/after')).status === 200, 40_000);
    expect((await master.api('GET', '/admin/v1/users/ghost1')).status).toBe(404);
    const status = (await master.api('GET', '/admin/v1/status')).body;
    expect(status.role).toBe('slave');
    expect(status.setAside).toHaveLength(1);
    expect(status.setAside[0].count).toBe(3);
    expect(status.setAside[0].toPosition).toBe(oldHead.position);
    expect((await head(master)).hash).toBe((await head(slave)).hash);
  });
});
