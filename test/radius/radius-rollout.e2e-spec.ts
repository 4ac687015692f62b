import { cliFor, twofold, serverEnv } from '../support/cli';
import { ServerProcess } from '../support/server-process';
import { addRadiusClient, createRadiusUser, hasRadclient, radclient } from '../support/radius-tools';
import { eventually, joinNode, startNode, status, untilCaughtUp } from '../replication/support/cluster-nodes';
import { bearerClient, issueCredential } from '../sdk/sdk-support';

// Staged rollout with real processes: a master and a slave joined with the CLI, radclient as the NAS.
// A user with no second factor is refused on a `reject` client and let in on a `first-factor-only`
// one (an event in the log and a metric); an administrator's bypass works on the slave, once with
// --once, and not after it lapses.
const describeIfTools = hasRadclient ? describe : describe.skip;
const SECRET = 'rollout-e2e-secret';

describeIfTools('staged rollout over RADIUS', () => {
  let master: ServerProcess;
  let slave: ServerProcess;
  let cli: ReturnType<typeof cliFor>;
  const pap = (node: ServerProcess, user: string, password: string) =>
    radclient(node.radiusPort, SECRET, { 'User-Name': user, 'User-Password': password, 'Message-Authenticator': '0x00' }, { timeoutS: 12, retries: 1 });
  const audit = async (user: string) => {
    const res = await twofold(['--json', 'audit', 'user', user], { env: serverEnv(master) });
    expect(res.code).toBe(0);
    return res.json<Array<{ changes: Array<{ type: string; actor: string }> }>>()[0].changes;
  };

  beforeAll(async () => {
    master = await ServerProcess.start({ env: { TWOFOLD_NODE_NAME: 'm1' } });
    cli = cliFor(master);
    await addRadiusClient(master, { name: 'vpn', address: '127.0.0.1', secret: SECRET, firstFactor: 'local-password' });
    await createRadiusUser(master, 'carol', { password: 'carol-password' });
    await createRadiusUser(master, 'dave', { password: 'dave-password', totp: true });
    slave = await startNode(await joinNode(master, 's1'), master.adminToken);
    await untilCaughtUp(master, slave); // the users and their tokens
    await eventually('the slave connected', async () => (await status(slave)).replication?.onceOnly?.masterReachable === true);
  });

  afterAll(async () => {
    await slave?.stop();
    await master?.stop();
  });

  it('refuses a user with no second factor on a reject client (the default)', async () => {
    const refused = await pap(master, 'carol', 'carol-password');
    expect(refused.code).toBe('Access-Reject');
    expect(refused.replyMessage).toMatch(/No second factor/);
    const listed = await cli(['--json', 'user', 'list', '--not-enrolled']);
    expect(listed.code).toBe(0);
    expect(listed.json().items.map((u: { username: string }) => u.username)).toEqual(['carol']);
  });

  it('lets the unenrolled user in on a first-factor-only client, and the pass is an event and a metric', async () => {
    const set = await cli(['radius-client', 'update', 'vpn', '--unenrolled', 'first-factor-only']);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/users not enrolled:\s+first-factor-only/);
    // The slave's registry follows the log: it lets carol in too, once the policy has arrived there.
    const onSlave = await eventually('the policy on the slave', async () => {
      const answer = await pap(slave, 'carol', 'carol-password');
      return answer.code === 'Access-Accept' ? answer : undefined;
    });
    expect(onSlave.code).toBe('Access-Accept');
    expect((await pap(master, 'carol', 'carol-password')).code).toBe('Access-Accept');
    expect((await pap(master, 'carol', 'wrong-password')).code).toBe('Access-Reject');
    // An enrolled user is still asked for the code.
    expect((await pap(master, 'dave', 'dave-password')).code).toBe('Access-Challenge');
    const passes = await eventually('both passes in the master log', async () => {
      const found = (await audit('carol')).filter((c) => c.type === 'UnenrolledSignInAllowed');
      return found.length === 2 ? found : undefined;
    });
    expect(passes.map((p) => p.actor).sort()).toEqual([expect.stringMatching(/^node:s1$/), expect.stringMatching(/^radius:/)]);
    const metrics = (await master.api('GET', '/metrics')).text;
    expect(metrics).toMatch(/twofold_second_factor_waived_total\{reason="not_enrolled"\} 1/);
    expect((await cli(['radius-client', 'update', 'vpn', '--unenrolled', 'reject'])).code).toBe(0);
    await eventually('reject again on the master', async () => (await pap(master, 'carol', 'carol-password')).code === 'Access-Reject');
  });

  it('per SDK credential: an unenrolled user is refused by default and let in after `sdk-credential rollout`', async () => {
    const { token } = await issueCredential(master, 'adfs', ['authenticate']);
    const sdk = bearerClient(master, token);
    try {
      await expect(sdk.startAuthentication({ username: 'carol' })).resolves.toMatchObject({ status: 'rejected', reason: 'no_second_factor' });
      const set = await cli(['sdk-credential', 'rollout', 'adfs', '--unenrolled', 'first-factor-only']);
      expect(set.code).toBe(0);
      expect(set.stdout).toMatch(/users not enrolled: first-factor-only/);
      await expect(sdk.startAuthentication({ username: 'carol' })).resolves.toMatchObject({ status: 'accepted', username: 'carol' });
      // An enrolled user still gets the challenge.
      await expect(sdk.startAuthentication({ username: 'dave' })).resolves.toMatchObject({ status: 'challenge' });
    } finally {
      sdk.close();
    }
  });

  it('a --once bypass works once on the slave; its use reaches the master and shows in user show', async () => {
    const granted = await cli(['user', 'bypass', 'dave', '--for', '15m', '--reason', 'phone lost', '--once']);
    expect(granted.code).toBe(0);
    expect(granted.stdout).toMatch(/bypass:\s+active until .*once; granted by admin:\S+ .*: phone lost/);
    await eventually('the bypass on the slave', async () => (await slave.api('GET', '/admin/v1/users/dave')).body.bypass?.active === true);
    expect((await pap(slave, 'dave', 'dave-password')).code).toBe('Access-Accept');
    // Spent: the next sign-in is asked for the code again, on the slave and on the master.
    expect((await pap(slave, 'dave', 'dave-password')).code).toBe('Access-Challenge');
    await eventually('the use on the master', async () => (await master.api('GET', '/admin/v1/users/dave')).body.bypass?.uses === 1);
    expect((await pap(master, 'dave', 'dave-password')).code).toBe('Access-Challenge');
    const shown = await cli(['user', 'show', 'dave']);
    expect(shown.stdout).toMatch(/bypass:\s+used .*phone lost/);
    const used = (await audit('dave')).filter((c) => c.type === 'UserBypassUsed');
    expect(used).toEqual([expect.objectContaining({ actor: 'node:s1' })]);
  });

  it('a timed bypass works on the slave until it lapses, then the code is asked for again', async () => {
    const granted = await cli(['--json', 'user', 'bypass', 'dave', '--for', '8s', '--reason', 'travel']);
    expect(granted.code).toBe(0);
    const until = Date.parse(granted.json().bypass.until);
    await eventually('the bypass on the slave', async () => (await slave.api('GET', '/admin/v1/users/dave')).body.bypass?.reason === 'travel');
    expect((await pap(slave, 'dave', 'dave-password')).code).toBe('Access-Accept');
    expect((await pap(slave, 'dave', 'dave-password')).code).toBe('Access-Accept');
    await eventually('the bypass to lapse', async () => Date.now() > until + 200, 20_000);
    expect((await pap(slave, 'dave', 'dave-password')).code).toBe('Access-Challenge');
  });

  it('a bypass revoked early stops working on the slave and the master, and user show says who revoked it', async () => {
    const granted = await cli(['user', 'bypass', 'dave', '--for', '1h', '--reason', 'forgot phone']);
    expect(granted.code).toBe(0);
    await eventually('the bypass on the slave', async () => (await slave.api('GET', '/admin/v1/users/dave')).body.bypass?.reason === 'forgot phone');
    expect((await pap(slave, 'dave', 'dave-password')).code).toBe('Access-Accept');
    const revoked = await cli(['user', 'bypass', 'dave', '--revoke']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/bypass:\s+revoked by admin:\S+ at .*forgot phone/);
    expect((await pap(master, 'dave', 'dave-password')).code).toBe('Access-Challenge');
    await eventually('the revocation on the slave', async () => (await slave.api('GET', '/admin/v1/users/dave')).body.bypass?.revokedBy !== null);
    expect((await pap(slave, 'dave', 'dave-password')).code).toBe('Access-Challenge');
    const shown = await cli(['user', 'show', 'dave']);
    expect(shown.stdout).toMatch(/bypass:\s+revoked by admin:/);
    const revocations = (await audit('dave')).filter((c) => c.type === 'UserBypassRevoked');
    expect(revocations).toEqual([expect.objectContaining({ actor: expect.stringMatching(/^admin:/) })]);
    // Nothing left to revoke: exit 5 (conflict) with the reason.
    const again = await cli(['user', 'bypass', 'dave', '--revoke']);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/no active bypass/);
  });

  it('refuses bad bypass input with a clear error and writes nothing', async () => {
    const noDuration = await cli(['user', 'bypass', 'dave', '--reason', 'x']);
    expect(noDuration.code).toBe(2);
    expect(noDuration.stderr).toMatch(/--for is required/);
    const badDuration = await cli(['user', 'bypass', 'dave', '--for', 'soon', '--reason', 'x']);
    expect(badDuration.code).not.toBe(0);
    expect(badDuration.stderr).toMatch(/--for must be a duration/);
    const tooLong = await cli(['user', 'bypass', 'dave', '--for', '30d', '--reason', 'x']);
    expect(tooLong.stderr).toMatch(/seconds.*at most 7 days/);
    const badPolicy = await cli(['radius-client', 'update', 'vpn', '--unenrolled', 'always']);
    expect(badPolicy.stderr).toMatch(/reject" or "first-factor-only/);
  });
});
