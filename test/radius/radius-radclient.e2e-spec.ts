import { join } from 'node:path';
import { RadiusCode, RadiusServer, RadiusServerClient } from '@twofold/radius';
import { ServerProcess } from '../support/server-process';
import {
  addRadiusClient, createRadiusUser, hasOathtool, hasRadclient, oathtoolTotp, radclient, radiusCounter, readDeliveries,
  TestRadiusClient, waitForDeliveries,
} from '../support/radius-tools';

// The real server process, driven by FreeRADIUS's radclient with codes from oathtool.
const describeIfTools = hasRadclient && hasOathtool ? describe : describe.skip;
if (!hasRadclient || !hasOathtool) console.warn('radclient or oathtool not installed: skipping RADIUS e2e');

const SECRET = 'radclient-e2e-secret';
const NONE_SECRET = 'none-mode-e2e-secret';
const PROXY_SECRET = 'proxy-mode-e2e-secret';
const UPSTREAM_SECRET = 'upstream-e2e-secret';

function flipLastByte(hex: string): string {
  const last = parseInt(hex.slice(-2), 16) ^ 0xff;
  return `${hex.slice(0, -2)}${last.toString(16).padStart(2, '0')}`;
}

describeIfTools('RADIUS server with radclient', () => {
  let server: ServerProcess;
  let upstream: RadiusServer<RadiusServerClient>;
  let deliveries: string;
  const pap = (username: string, password: string, extra: Record<string, string> = {}, timeoutS = 3) =>
    radclient(server.radiusPort, SECRET, { 'User-Name': username, 'User-Password': password, 'Message-Authenticator': '0x00', ...extra }, { timeoutS });
  const metrics = async () => (await server.api('GET', '/metrics')).text;
  // A dropped packet has no answer to wait for: poll the counter instead of trusting a sleep.
  const counterReaches = async (outcome: string, value: number): Promise<number> => {
    for (let tries = 0; ; tries++) {
      const now = radiusCounter(await metrics(), outcome);
      if (now >= value || tries >= 200) return now;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    // An upstream RADIUS server for the radius-proxy first factor: accepts "upstream-pass" only.
    upstream = new RadiusServer<RadiusServerClient>({
      bindAddress: '127.0.0.1', authPort: 0, acctPort: null,
      clients: { lookup: () => ({ clientId: 'twofold', name: 'twofold', secret: Buffer.from(UPSTREAM_SECRET), requireMessageAuthenticator: true }) },
      access: async ({ password }) => ({ code: password?.toString() === 'upstream-pass' ? 'accept' : 'reject' }),
    });
    const { auth: upstreamPort } = await upstream.start();
    server = await ServerProcess.start({ env: { TWOFOLD_RADIUS_OOB_TIMEOUT_MS: '8000' } });
    deliveries = join(server.dataDir, 'deliveries.jsonl');
    await addRadiusClient(server, { name: 'loopback', address: '127.0.0.1', secret: SECRET, firstFactor: 'local-password' });
    await addRadiusClient(server, { name: 'wifi', address: '127.0.0.2/32', secret: NONE_SECRET, firstFactor: 'none' });
    await addRadiusClient(server, {
      name: 'proxied', address: '127.0.0.3', secret: PROXY_SECRET, firstFactor: 'radius-proxy',
      upstream: { host: '127.0.0.1', port: upstreamPort, secret: UPSTREAM_SECRET, timeoutMs: 2000 },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it('accepts PAP with the TOTP code appended, once; the replay is rejected', async () => {
    const { secret } = await createRadiusUser(server, 'alice', { password: 'alice-password', totp: true });
    const code = oathtoolTotp(secret!);
    const first = await pap('alice', `alice-password${code}`);
    expect(first.code).toBe('Access-Accept');
    const replay = await pap('alice', `alice-password${code}`);
    expect(replay.code).toBe('Access-Reject');
    expect(replay.replyMessage).toMatch(/already been used/);
  });

  it('rejects a wrong password with a Reply-Message', async () => {
    const { secret } = await createRadiusUser(server, 'bob', { password: 'bob-password', totp: true });
    const result = await pap('bob', `wrong-password${oathtoolTotp(secret!)}`);
    expect(result.code).toBe('Access-Reject');
    expect(result.replyMessage).toBe('Authentication failed.');
  });

  it('challenges after the password and accepts the code sent back with the State', async () => {
    const { secret } = await createRadiusUser(server, 'carol', { password: 'carol-password', totp: true });
    const challenge = await pap('carol', 'carol-password');
    expect(challenge.code).toBe('Access-Challenge');
    expect(challenge.replyMessage).toMatch(/authenticator app/);
    expect(challenge.state).toMatch(/^0x[0-9a-f]{40,}$/);
    // Flip every bit of the last byte: always a different State (replacing it with 00 was a no-op 1 time in 256).
    const wrongState = await pap('carol', oathtoolTotp(secret!), { State: flipLastByte(challenge.state!) });
    expect(wrongState.code).toBe('Access-Reject');
    const answer = await pap('carol', oathtoolTotp(secret!), { State: challenge.state! });
    expect(answer.code).toBe('Access-Accept');
  });

  it('accepts a TOTP challenge State once: the same State with the next step\'s code is rejected', async () => {
    const { secret } = await createRadiusUser(server, 'cora', { password: 'cora-password', totp: true });
    const challenge = await pap('cora', 'cora-password');
    expect(challenge.code).toBe('Access-Challenge');
    expect((await pap('cora', oathtoolTotp(secret!), { State: challenge.state! })).code).toBe('Access-Accept');
    const reused = await pap('cora', oathtoolTotp(secret!, 30), { State: challenge.state! });
    expect(reused.code).toBe('Access-Reject');
    expect(reused.replyMessage).toMatch(/expired or is not valid/);
  });

  it('drops requests without a Message-Authenticator or with the wrong secret, and counts them', async () => {
    await createRadiusUser(server, 'dave', { password: 'dave-password', totp: true });
    const before = await metrics();
    const unsigned = await radclient(server.radiusPort, SECRET, { 'User-Name': 'dave', 'User-Password': 'dave-password' }, { timeoutS: 1 });
    expect(unsigned.code).toBe('none');
    const wrongSecret = await radclient(server.radiusPort, 'not-the-secret', { 'User-Name': 'dave', 'User-Password': 'dave-password', 'Message-Authenticator': '0x00' }, { timeoutS: 1 });
    expect(wrongSecret.code).toBe('none');
    const missing = radiusCounter(before, 'missing_message_authenticator') + 1;
    expect(await counterReaches('missing_message_authenticator', missing)).toBeGreaterThanOrEqual(missing);
    const bad = radiusCounter(before, 'bad_authenticator') + 1;
    expect(await counterReaches('bad_authenticator', bad)).toBeGreaterThanOrEqual(bad);
    // The server is still answering.
    expect((await pap('dave', 'dave-password')).code).toBe('Access-Challenge');
  });

  it('answers Accounting-Request with Accounting-Response', async () => {
    const result = await radclient(server.acctPort, SECRET, { 'Acct-Status-Type': 'Start', 'User-Name': 'alice', 'Acct-Session-Id': 'e2e-1' }, { command: 'acct' });
    expect(result.code).toBe('Accounting-Response');
  });

  it('drops packets from an unknown source address and counts them', async () => {
    const stranger = await TestRadiusClient.open('127.0.0.9');
    try {
      const before = radiusCounter(await metrics(), 'unknown_client');
      expect(await stranger.send(stranger.request(SECRET, 'alice', 'x').raw, server.radiusPort, 800)).toBeUndefined();
      expect(await counterReaches('unknown_client', before + 1)).toBe(before + 1);
    } finally {
      stranger.close();
    }
  });

  it('sends one SMS per request: a retransmission gets the cached challenge, and the code completes the sign-in', async () => {
    await createRadiusUser(server, 'erin', { password: 'erin-password', method: 'sms', phone: '+15550100' });
    const client = await TestRadiusClient.open();
    try {
      const before = readDeliveries(deliveries).length;
      const request = client.request(SECRET, 'erin', 'erin-password');
      const first = await client.exchange(request, SECRET, server.radiusPort);
      const again = await client.exchange(request, SECRET, server.radiusPort);
      expect(first?.code).toBe(RadiusCode.AccessChallenge);
      expect(again?.raw.equals(first!.raw)).toBe(true);
      const sent = (await waitForDeliveries(deliveries, before + 1)).slice(before);
      await new Promise((r) => setTimeout(r, 300));
      expect(readDeliveries(deliveries).length).toBe(before + 1);
      expect(sent[0]).toMatchObject({ channel: 'sms', to: '+15550100' });
      const code = /\d{6}/.exec(sent[0].text)![0];
      const state = first!.get('State')!;
      const answer = await radclient(server.radiusPort, SECRET, { 'User-Name': 'erin', 'User-Password': code, State: `0x${state.toString('hex')}`, 'Message-Authenticator': '0x00' });
      expect(answer.code).toBe('Access-Accept');
    } finally {
      client.close();
    }
  });

  it('holds a push request until it is approved or denied through the admin API', async () => {
    const { userId } = await createRadiusUser(server, 'frank', { password: 'frank-password', method: 'push' });
    const decide = async (decision: string, nth: number) => {
      const [push] = (await waitForDeliveries(deliveries, nth)).filter((d) => d.userId === userId).slice(-1);
      const res = await server.api('POST', `/admin/v1/approvals/${push.approvalId}`, { decision });
      expect(res.status).toBe(200);
      return push;
    };
    const count = readDeliveries(deliveries).length;
    const [approved, push] = await Promise.all([pap('frank', 'frank-password', {}, 10), decide('approve', count + 1)]);
    expect(push).toMatchObject({ channel: 'push', to: 'frank' });
    expect(approved.code).toBe('Access-Accept');
    // A decision is taken once.
    expect((await server.api('POST', `/admin/v1/approvals/${push.approvalId}`, { decision: 'deny' })).status).toBe(409);
    const [denied] = await Promise.all([pap('frank', 'frank-password', {}, 10), decide('deny', count + 2)]);
    expect(denied.code).toBe('Access-Reject');
    expect(denied.replyMessage).toMatch(/denied/);
  });

  it('locks a user out after repeated failures and rejects a blocked user, with clear messages', async () => {
    expect((await server.api('PATCH', '/admin/v1/settings', { lockout: { failuresBeforeLockout: 3 } })).status).toBe(200);
    const { secret } = await createRadiusUser(server, 'gina', { password: 'gina-password', totp: true });
    for (let i = 0; i < 2; i++) expect((await pap('gina', 'wrong-password')).replyMessage).toBe('Authentication failed.');
    const third = await pap('gina', 'wrong-password');
    expect(third.code).toBe('Access-Reject');
    expect(third.replyMessage).toMatch(/locked after too many failed sign-in attempts until/);
    expect((await pap('gina', `gina-password${oathtoolTotp(secret!)}`)).replyMessage).toMatch(/locked/);
    expect((await server.api('POST', '/admin/v1/users/gina/unlock')).status).toBe(200);
    expect((await pap('gina', `gina-password${oathtoolTotp(secret!)}`)).code).toBe('Access-Accept');

    await createRadiusUser(server, 'hank', { password: 'hank-password', totp: true });
    expect((await server.api('POST', '/admin/v1/users/hank/block', { reason: 'reported by the user' })).status).toBe(200);
    const blocked = await pap('hank', 'hank-password');
    expect(blocked.code).toBe('Access-Reject');
    expect(blocked.replyMessage).toMatch(/blocked after a fraud report/);
  });

  // Eight digits: the log check below looks for the PIN as a substring, and a four-digit one turns
  // up by chance in the log's random ids (a user id held "4812" once).
  const PIN = '48120573';
  const WRONG_PIN = '48130573';

  it('checks the PIN with the code on a client without a first factor', async () => {
    const { secret } = await createRadiusUser(server, 'ivy', { pin: PIN, totp: true });
    const wifi = await TestRadiusClient.open('127.0.0.2');
    try {
      const wrongPin = await wifi.exchange(wifi.request(NONE_SECRET, 'ivy', `${WRONG_PIN}${oathtoolTotp(secret!)}`), NONE_SECRET, server.radiusPort);
      expect(wrongPin?.code).toBe(RadiusCode.AccessReject);
      const right = await wifi.exchange(wifi.request(NONE_SECRET, 'ivy', `${PIN}${oathtoolTotp(secret!)}`), NONE_SECRET, server.radiusPort);
      expect(right?.code).toBe(RadiusCode.AccessAccept);
      const challenge = await wifi.exchange(wifi.request(NONE_SECRET, 'ivy', ''), NONE_SECRET, server.radiusPort);
      expect(challenge?.code).toBe(RadiusCode.AccessChallenge);
      expect(challenge?.getString('Reply-Message')).toMatch(/PIN followed by/);
      const answer = await wifi.exchange(
        wifi.request(NONE_SECRET, 'ivy', `${PIN}${oathtoolTotp(secret!, 30)}`, [wifi.stateAttribute(challenge!.get('State')!)]), NONE_SECRET, server.radiusPort,
      );
      expect(answer?.code).toBe(RadiusCode.AccessAccept);
    } finally {
      wifi.close();
    }
  });

  it('forwards the first factor to an upstream RADIUS server', async () => {
    const { secret } = await createRadiusUser(server, 'jack', { totp: true });
    const nas = await TestRadiusClient.open('127.0.0.3');
    try {
      const bad = await nas.exchange(nas.request(PROXY_SECRET, 'jack', `not-upstream${oathtoolTotp(secret!)}`), PROXY_SECRET, server.radiusPort);
      expect(bad?.code).toBe(RadiusCode.AccessReject);
      const good = await nas.exchange(nas.request(PROXY_SECRET, 'jack', `upstream-pass${oathtoolTotp(secret!)}`), PROXY_SECRET, server.radiusPort);
      expect(good?.code).toBe(RadiusCode.AccessAccept);
    } finally {
      nas.close();
    }
  });

  it('never writes passwords, PINs or shared secrets into its log', async () => {
    const log = server.stdout.join('') + server.stderr.join('');
    expect(log).toContain('RADIUS request answered');
    for (const secret of [SECRET, NONE_SECRET, PROXY_SECRET, UPSTREAM_SECRET, 'alice-password', 'carol-password', 'upstream-pass', PIN]) {
      expect(log).not.toContain(secret);
    }
  });
});
