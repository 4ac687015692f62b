import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { SessionSealer } from '../../apps/portal/src/session/sealed-session';
import { ServerProcess } from '../support/server-process';
import { oathtool, PORTAL_MAIN, PortalProcess } from './support/portal-process';
import { alertOf, csrfOf, portalRequest, signInOverHttp } from './support/portal-http';
import { caFileOf, logPosition, newSessionKey, portalCredential, tokensOf, userWithToken } from './support/portal-setup';

// What an attacker or a broken client sends: forged, expired, replayed and foreign cookies, CSRF
// tokens that are missing, foreign or from before the sign-in, over-long and unknown fields. Each
// gets a clear page with a 4xx status, and the log of the cluster does not move.
describe('User Portal refuses bad input', () => {
  let server: ServerProcess;
  let portal: PortalProcess;
  const sessionKey = newSessionKey();
  const PASSWORD = 'carols own password';
  let users = 0;

  beforeAll(async () => {
    server = await ServerProcess.start();
    portal = await PortalProcess.start({ sdkUrls: [server.url], sdkCaFile: caFileOf(server), credential: await portalCredential(server), sessionKey });
  });

  afterAll(async () => {
    await portal?.stop();
    await server?.stop();
  });

  // Each test signs in its own user (a TOTP code is good once; a new user has a fresh token).
  let username = 'carol';
  const signIn = async () => {
    username = `carol${++users}`;
    const { seed } = await userWithToken(server, username, PASSWORD);
    return signInOverHttp(portal.url, username, PASSWORD, oathtool(seed));
  };
  const pinChange = (cookie: string | undefined, csrf: string | undefined) =>
    portalRequest(`${portal.url}/pin`, { ...(cookie ? { cookie } : {}), form: { ...(csrf !== undefined ? { csrf } : {}), pin: '73915862', pin2: '73915862' } });

  it('treats a forged, damaged, foreign-key or expired cookie as no session', async () => {
    const { cookie } = await signIn();
    expect((await portalRequest(`${portal.url}/account`, { cookie })).status).toBe(200);
    const flipped = cookie.slice(0, 20) + (cookie[20] === 'A' ? 'B' : 'A') + cookie.slice(21);
    const foreign = new SessionSealer(randomBytes(32), 600_000);
    const sealer = new SessionSealer(Buffer.from(sessionKey, 'base64'), 600_000);
    const expired = sealer.seal({ ...sealer.fresh(Date.now() - 700_000), user: { id: 'u', name: 'carol', displayName: 'Carol', assertion: 'x'.repeat(40), exp: Date.now() + 60_000 } });
    for (const bad of [randomBytes(200).toString('base64url'), flipped, foreign.seal(foreign.fresh()), expired, 'not a cookie;', 'A'.repeat(5000)]) {
      const res = await portalRequest(`${portal.url}/account`, { cookie: bad });
      expect({ status: res.status, alert: alertOf(res.body) }).toEqual({ status: 401, alert: 'Your session has ended. Please sign in again.' });
    }
  });

  it('refuses a change without a CSRF token, with another session\'s token, or with the token from before sign-in', async () => {
    const carol = await signIn();
    const other = await portalRequest(`${portal.url}/sign-in`);
    const before = await logPosition(server);
    for (const csrf of [undefined, '', csrfOf(other.body), carol.before.csrf, 'x'.repeat(43)]) {
      const res = await pinChange(carol.cookie, csrf);
      expect({ status: res.status, alert: alertOf(res.body) }).toEqual({ status: 403, alert: 'This form has expired or did not come from this page. Please try again.' });
    }
    // A valid token with no cookie (another browser) is refused too.
    expect((await pinChange(undefined, carol.csrf)).status).toBe(403);
    expect(await logPosition(server)).toBe(before);
    expect((await server.api('GET', `/admin/v1/users/${username}`)).body.hasPin).toBe(false);
  });

  it('refuses a replayed enrolment cookie after the enrolment was finished: one token, once', async () => {
    const carol = await signIn();
    const shown = await portalRequest(`${portal.url}/enrol`, { cookie: carol.cookie, form: { csrf: carol.csrf, label: 'spare' } });
    expect(shown.status).toBe(200);
    const secret = /id="secret">([^<]+)</.exec(shown.body)![1].replace(/\s/g, '');
    const code = oathtool(secret);
    const done = await portalRequest(`${portal.url}/enrol/confirm`, { cookie: shown.cookie, form: { csrf: carol.csrf, code } });
    expect(done.status).toBe(200);
    const position = await logPosition(server);
    const replay = await portalRequest(`${portal.url}/enrol/confirm`, { cookie: shown.cookie, form: { csrf: carol.csrf, code } });
    expect({ status: replay.status, alert: alertOf(replay.body) }).toEqual({ status: 409, alert: 'This set-up has expired or was already finished. Start again.' });
    expect(await logPosition(server)).toBe(position);
    expect((await tokensOf(server, username)).filter((t) => t.label === 'spare')).toHaveLength(1);
  });

  it('answers over-long, unknown, duplicated and non-form input with a clear 4xx page, and records nothing', async () => {
    const first = await portalRequest(`${portal.url}/sign-in`);
    const csrf = csrfOf(first.body);
    const before = await logPosition(server);
    const post = (form: Record<string, string>, extra: { rawBody?: string; contentType?: string } = {}) =>
      portalRequest(`${portal.url}/sign-in`, { cookie: first.cookie, form: { csrf, ...form }, ...extra });
    const cases: Array<[Promise<{ status: number; body: string }>, number, string]> = [
      [post({ username: 'c'.repeat(65), password: 'x' }), 400, 'What you sent is too long.'],
      [post({ username: 'carol', password: 'p'.repeat(257) }), 400, 'What you sent is too long.'],
      [post({ username: 'carol', password: 'p'.repeat(5000) }), 413, 'What you sent is too long.'],
      [post({ username: 'carol', password: 'x', role: 'admin' }), 400, 'Some of what you typed is not valid.'],
      [post({}, { rawBody: `csrf=${csrf}&username=carol&username=mallory&password=x` }), 400, 'Some of what you typed is not valid.'],
      [post({}, { rawBody: JSON.stringify({ csrf, username: 'carol', password: 'x' }), contentType: 'application/json' }), 415, 'Some of what you typed is not valid.'],
      [post({ username: 'carol\u0000', password: 'x' }), 400, 'The user name or password is wrong.'],
    ];
    for (const [res, status, message] of cases) {
      const r = await res;
      expect({ status: r.status, alert: alertOf(r.body) }).toEqual({ status, alert: message });
    }
    expect(await logPosition(server)).toBe(before);
  });

  it('never writes a password, code, PIN, assertion or cookie to its log', async () => {
    const carol = await signIn();
    await pinChange(carol.cookie, carol.csrf);
    const log = portal.stdout.join('') + portal.stderr.join('');
    expect(log).toContain('"msg":"request"');
    for (const secret of [PASSWORD, carol.cookie.slice(0, 40), '73915862']) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/"(code|password|pin|assertion|cookie)":/);
  });

  it('does not start with a bad configuration: exit 78 and the key named', () => {
    const run = spawnSync(process.execPath, [PORTAL_MAIN], {
      env: { PATH: process.env.PATH ?? '', TWOFOLD_PORTAL_DATA_DIR: portal.dataDir, TWOFOLD_PORTAL_SESSION_KEY: sessionKey, TWOFOLD_PORTAL_SDK_URLS: 'http://127.0.0.1:8443' },
      encoding: 'utf8', timeout: 30_000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('TWOFOLD_PORTAL_SDK_URLS');
    const noCredential = spawnSync(process.execPath, [PORTAL_MAIN], {
      env: { PATH: process.env.PATH ?? '', TWOFOLD_PORTAL_DATA_DIR: portal.dataDir, TWOFOLD_PORTAL_SESSION_KEY: sessionKey }, encoding: 'utf8', timeout: 30_000,
    });
    expect(noCredential.status).toBe(78);
    expect(noCredential.stderr).toContain('TWOFOLD_PORTAL_SDK_CREDENTIAL');
  });
});
