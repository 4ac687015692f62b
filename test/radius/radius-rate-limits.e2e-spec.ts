import { join } from 'node:path';
import { RadiusCode } from '@twofold/radius';
import { ServerProcess } from '../support/server-process';
import { addRadiusClient, createRadiusUser, hasOathtool, oathtoolTotp, readDeliveries, TestRadiusClient } from '../support/radius-tools';

// Rate limits beyond the per-user lockout, over real UDP: a guessing run spread over many users is
// stopped per client and node-wide, and repeated requests for an SMS user do not send a text each.
const describeIfTools = hasOathtool ? describe : describe.skip;

const SECRETS = { vpn: 'limits-vpn-secret', a: 'limits-a-secret', b: 'limits-b-secret', c: 'limits-c-secret' };

describeIfTools('RADIUS rate limits', () => {
  let server: ServerProcess;
  const sockets: TestRadiusClient[] = [];
  const open = async (address: string) => {
    const socket = await TestRadiusClient.open(address);
    sockets.push(socket);
    return socket;
  };
  const ask = async (socket: TestRadiusClient, secret: string, user: string, password: string) => {
    const answer = await socket.exchange(socket.request(secret, user, password), secret, server.radiusPort);
    if (!answer) throw new Error('no answer');
    return { code: answer.code, message: answer.getString('Reply-Message') ?? '' };
  };
  const limited = async (limit: string) => {
    const m = new RegExp(`twofold_radius_rate_limited_total\\{limit="${limit}"\\} (\\d+)`).exec((await server.api('GET', '/metrics')).text);
    return m ? Number(m[1]) : 0;
  };

  beforeAll(async () => {
    server = await ServerProcess.start({
      env: {
        TWOFOLD_RADIUS_CLIENT_FAILURE_BURST: '8', TWOFOLD_RADIUS_CLIENT_FAILURES_PER_MINUTE: '1',
        TWOFOLD_RADIUS_GLOBAL_FAILURE_BURST: '14', TWOFOLD_RADIUS_GLOBAL_FAILURES_PER_MINUTE: '1',
        TWOFOLD_RADIUS_USER_SEND_BURST: '3', TWOFOLD_RADIUS_USER_SENDS_PER_MINUTE: '1',
      },
    });
    await addRadiusClient(server, { name: 'vpn', address: '127.0.0.1', secret: SECRETS.vpn, firstFactor: 'local-password' });
    await addRadiusClient(server, { name: 'a', address: '127.0.0.2', secret: SECRETS.a, firstFactor: 'none' });
    await addRadiusClient(server, { name: 'b', address: '127.0.0.3', secret: SECRETS.b, firstFactor: 'none' });
    await addRadiusClient(server, { name: 'c', address: '127.0.0.4', secret: SECRETS.c, firstFactor: 'none' });
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.stop();
  });

  it('sends at most the per-user burst of texts to an SMS user however many requests arrive', async () => {
    await createRadiusUser(server, 'sam', { password: 'sam-password', method: 'sms', phone: '+15550142' });
    const vpn = await open('127.0.0.1');
    const answers = [];
    for (let i = 0; i < 30; i++) answers.push(await ask(vpn, SECRETS.vpn, 'sam', 'sam-password'));
    const texts = readDeliveries(join(server.dataDir, 'deliveries.jsonl')).filter((d) => d.to === '+15550142');
    expect(texts).toHaveLength(3);
    expect(answers.filter((a) => a.code === RadiusCode.AccessChallenge)).toHaveLength(3);
    expect(answers[29]).toEqual({ code: RadiusCode.AccessReject, message: expect.stringMatching(/^Too many verification requests for your account\. Try again in \d+ seconds\.$/) });
    expect(await limited('user_sends')).toBe(27);
  });

  it('stops a guessing run over many users at the client\'s failure budget, even for a right code; other clients go on', async () => {
    const users = [];
    for (let i = 0; i < 7; i++) users.push(await createRadiusUser(server, `guess${i}`, { totp: true }));
    const a = await open('127.0.0.2');
    // 4 wrong codes for each of 7 users (the per-user lockout, 5, never triggers): 28 guesses.
    const answers = [];
    for (let round = 0; round < 4; round++) for (let i = 0; i < 7; i++) answers.push(await ask(a, SECRETS.a, `guess${i}`, '000000'));
    expect(answers.slice(0, 8).every((x) => x.message === 'Authentication failed.')).toBe(true);
    const refused = answers.slice(9);
    expect(refused.every((x) => x.code === RadiusCode.AccessReject && /^Too many failed sign-ins through this network device\. Try again in \d+ seconds\.$/.test(x.message))).toBe(true);
    // While closed, even the right code is not checked.
    const right = await ask(a, SECRETS.a, 'guess0', oathtoolTotp(users[0].secret!));
    expect(right.message).toMatch(/Too many failed sign-ins through this network device/);
    expect(await limited('client')).toBeGreaterThanOrEqual(20);
    // Another client is not affected by a's budget.
    const b = await open('127.0.0.3');
    expect((await ask(b, SECRETS.b, 'guess1', oathtoolTotp(users[1].secret!))).code).toBe(RadiusCode.AccessAccept);
  });

  it('closes the whole node when failures from all clients pass the global budget', async () => {
    await createRadiusUser(server, 'gail', { totp: true });
    await createRadiusUser(server, 'gabe', { totp: true });
    const { secret } = await createRadiusUser(server, 'gwen', { totp: true });
    const b = await open('127.0.0.3');
    // 9 failures so far (8 + the one that closed client a); 6 more from b pass the node's 14.
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await ask(b, SECRETS.b, i % 2 ? 'gail' : 'gabe', '000000'));
    expect(answers.slice(0, 5).every((x) => x.message === 'Authentication failed.')).toBe(true);
    const c = await open('127.0.0.4');
    const refused = await ask(c, SECRETS.c, 'gwen', oathtoolTotp(secret!));
    expect(refused).toEqual({ code: RadiusCode.AccessReject, message: expect.stringMatching(/^Too many failed sign-ins on this server\. Try again in \d+ seconds\.$/) });
    expect(await limited('global')).toBeGreaterThanOrEqual(1);
  });
});
