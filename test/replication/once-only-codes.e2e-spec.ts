import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess } from '../support/server-process';
import { freePort } from '../support/ports';
import { serverEnv, twofold } from '../support/cli';
import { addRadiusClient, createRadiusUser, hasOathtool, hasRadclient, oathtoolTotp, radclient } from '../support/radius-tools';
import { eventually } from '../support/eventually';
import { untilCaughtUp } from './support/cluster-nodes';

// Once-only codes across nodes, with real processes: a master and two slaves joined with the CLI.
// While the master is reachable, a slave asks it before answering Accept, so one code is accepted
// once in the cluster even when two slaves get it at the same moment. While the master is
// unreachable (paused with SIGSTOP until the slaves drop it), slaves accept on their own record
// and say so in `twofold status`, /admin/v1/status and the metrics.
const describeIfTools = hasRadclient && hasOathtool ? describe : describe.skip;
const SECRET = 'once-only-e2e-secret';


describeIfTools('once-only codes across a master and two slaves', () => {
  let master: ServerProcess;
  const slaves: ServerProcess[] = [];
  const seeds: Record<string, string> = {};
  const pap = (node: ServerProcess, user: string, code: string) =>
    radclient(node.radiusPort, SECRET, { 'User-Name': user, 'User-Password': code, 'Message-Authenticator': '0x00' }, { timeoutS: 12, retries: 1 });
  const onceOnly = async (node: ServerProcess) => (await node.api('GET', '/admin/v1/status')).body.replication?.onceOnly;

  async function joinSlave(name: string): Promise<ServerProcess> {
    const dir = join(mkdtempSync(join(tmpdir(), `twofold-${name}-`)), 'data');
    const httpPort = await freePort();
    const replicationPort = await freePort();
    const issued = await master.api('POST', '/admin/v1/cluster/join-tokens', { name });
    expect(issued.status).toBe(201);
    const joined = await twofold(['--data-dir', dir, 'join', '--master', `127.0.0.1:${master.httpPort}`, '--token', issued.body.token,
      '--advertise-host', '127.0.0.1', '--http-port', String(httpPort), '--replication-port', String(replicationPort)]);
    expect(joined.code).toBe(0);
    // A generous verdict bound, so that "reachable but paused a moment" is still reachable.
    return ServerProcess.start({
      dataDir: dir, adminToken: master.adminToken, httpPort, replicationPort,
      env: { TWOFOLD_NODE_NAME: name, TWOFOLD_REPLICATION_CONFIRM_TIMEOUT_MS: '8000' },
    });
  }

  beforeAll(async () => {
    master = await ServerProcess.start({ env: { TWOFOLD_NODE_NAME: 'm1' } });
    await addRadiusClient(master, { name: 'loopback', address: '127.0.0.1', secret: SECRET, firstFactor: 'none' });
    for (const user of ['ada', 'ben']) seeds[user] = (await createRadiusUser(master, user, { totp: true })).secret!;
    slaves.push(await joinSlave('s1'), await joinSlave('s2'));
    for (const s of slaves) {
      await untilCaughtUp(master, s); // the users and their tokens
      await eventually('the slave connected', async () => (await onceOnly(s))?.masterReachable === true);
    }
  });

  afterAll(async () => {
    master?.child.kill('SIGCONT');
    for (const node of [...slaves, master]) await node?.stop('SIGKILL');
  });

  it('master reachable: the same code sent to both slaves at once is accepted once, the other slave hears the master refuse it', async () => {
    const code = oathtoolTotp(seeds.ada);
    // Paused for a moment only (well below the replication idle time-out): both slaves hold their
    // answer until the master has ruled; the first record it appends wins.
    master.child.kill('SIGSTOP');
    let answers;
    try {
      const both = Promise.all(slaves.map((s) => pap(s, 'ada', code)));
      await new Promise((r) => setTimeout(r, 700));
      master.child.kill('SIGCONT');
      answers = await both;
    } finally {
      master.child.kill('SIGCONT');
    }
    expect(answers.map((a) => a.code).sort()).toEqual(['Access-Accept', 'Access-Reject']);
    expect(answers.find((a) => a.code === 'Access-Reject')!.replyMessage).toMatch(/already been used/);
    // And the master itself refuses it too.
    expect((await pap(master, 'ada', code)).code).toBe('Access-Reject');
    for (const s of slaves) expect((await onceOnly(s)).acceptedUnconfirmed).toBe(0);
  });

  it('master unreachable: a slave accepts on its own record and shows the window; the master reconciles it on return', async () => {
    const [s1] = slaves;
    master.child.kill('SIGSTOP');
    try {
      // The slave notices the silent master (idle time-out) and stops waiting for verdicts.
      const window = await eventually('s1 to lose the master', async () => {
        const o = await onceOnly(s1);
        return o && !o.masterReachable ? o : undefined;
      });
      expect(window.masterUnreachableSince).toMatch(/^\d{4}-\d\d-\d\dT/);
      const code = oathtoolTotp(seeds.ben);
      expect((await pap(s1, 'ben', code)).code).toBe('Access-Accept');
      // Once on this node still.
      expect((await pap(s1, 'ben', code)).code).toBe('Access-Reject');
      const during = await onceOnly(s1);
      expect(during).toMatchObject({ masterReachable: false, acceptedUnconfirmed: 1, acceptedUnconfirmedSince: expect.stringMatching(/T/) });
      const status = await twofold(['status'], { env: serverEnv(s1) });
      expect(status.stdout).toMatch(/master unreachable since:\s+\d{4}-/);
      expect(status.stdout).toMatch(/codes accepted unconfirmed:\s+1 since/);
      expect((await s1.api('GET', '/metrics')).text).toMatch(/^twofold_replication_unconfirmed_accepts_total 1$/m);
      master.child.kill('SIGCONT');
      // Back: the slave's record reaches the master, which spends the code there as well.
      await eventually('s1 reconciled', async () => {
        const o = await onceOnly(s1);
        return o?.masterReachable && o.acceptedUnconfirmed === 0;
      });
      expect((await pap(master, 'ben', code)).code).toBe('Access-Reject');
      expect((await onceOnly(s1)).masterUnreachableSince).toBeNull();
    } finally {
      master.child.kill('SIGCONT');
    }
  });
});
