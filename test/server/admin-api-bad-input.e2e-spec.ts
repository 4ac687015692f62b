import { ADMIN_OPERATIONS } from '../../apps/server/src/admin/openapi/admin-openapi';
import { ServerProcess } from '../support/server-process';
import { httpsJson, JsonResponse } from '../support/https-json';
import { logHead } from '../support/cli';

// Bad input at every admin endpoint: each gets a clear RFC 9457 problem with a stable code, and
// nothing changes: the log head stays where it was, and so do the resources.
interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  field?: string;
}

const U = '/admin/v1/users';
const big = `{"username":"big","displayName":"${'a'.repeat(1024 * 1024 + 16)}"}`;

const CASES: Case[] = [
  // ---- transport: bodies ----
  { name: 'non-JSON body', method: 'POST', path: U, raw: '{username: alice', status: 400, code: 'invalid_json' },
  { name: 'wrong content type', method: 'POST', path: U, raw: '{"username":"carol"}', headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
  { name: 'form-encoded body', method: 'POST', path: U, raw: 'username=carol', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
  { name: 'oversized body (> 1 MiB)', method: 'POST', path: U, raw: big, status: 413, code: 'payload_too_large' },
  { name: 'oversized settings body', method: 'PATCH', path: '/admin/v1/settings', raw: big, status: 413, code: 'payload_too_large' },
  { name: 'JSON array instead of an object', method: 'POST', path: U, body: [{ username: 'carol' }], status: 400, code: 'validation_failed' },
  { name: 'JSON string instead of an object', method: 'POST', path: U, body: 'carol', status: 400, code: 'validation_failed' },
  { name: 'unknown route', method: 'GET', path: '/admin/v1/nothing-here', status: 404, code: 'not_found' },

  // ---- users ----
  { name: 'create user: missing username', method: 'POST', path: U, body: {}, status: 400, code: 'validation_failed', field: 'username' },
  { name: 'create user: username of the wrong type', method: 'POST', path: U, body: { username: 42 }, status: 400, code: 'validation_failed', field: 'username' },
  { name: 'create user: bad username', method: 'POST', path: U, body: { username: 'Bad User!' }, status: 400, code: 'validation_failed', field: 'username' },
  { name: 'create user: unknown field', method: 'POST', path: U, body: { username: 'carol', isAdmin: true }, status: 400, code: 'validation_failed', field: 'isAdmin' },
  { name: 'create user: bad e-mail', method: 'POST', path: U, body: { username: 'carol', email: 'nope' }, status: 400, code: 'validation_failed', field: 'email' },
  { name: 'create user: bad phone', method: 'POST', path: U, body: { username: 'carol', phones: [{ number: '12' }] }, status: 400, code: 'validation_failed', field: 'phones.0.number' },
  { name: 'create user: phones not a list', method: 'POST', path: U, body: { username: 'carol', phones: '+4915112345678' }, status: 400, code: 'validation_failed', field: 'phones' },
  { name: 'create user: unknown method', method: 'POST', path: U, body: { username: 'carol', preferredMethod: 'pigeon' }, status: 400, code: 'validation_failed', field: 'preferredMethod' },
  { name: 'create user: duplicate username', method: 'POST', path: U, body: { username: 'ALICE' }, status: 409, code: 'duplicate_username', field: 'username' },
  { name: 'list users: limit 0', method: 'GET', path: `${U}?limit=0`, status: 400, code: 'validation_failed', field: 'limit' },
  { name: 'list users: limit not a number', method: 'GET', path: `${U}?limit=ten`, status: 400, code: 'validation_failed', field: 'limit' },
  { name: 'list users: negative offset', method: 'GET', path: `${U}?offset=-1`, status: 400, code: 'validation_failed', field: 'offset' },
  { name: 'list users: filter too long', method: 'GET', path: `${U}?filter=${'x'.repeat(65)}`, status: 400, code: 'validation_failed', field: 'filter' },
  { name: 'get unknown user', method: 'GET', path: `${U}/nobody`, status: 404, code: 'unknown_user' },
  { name: 'update unknown user', method: 'PATCH', path: `${U}/nobody`, body: { displayName: 'x' }, status: 404, code: 'unknown_user' },
  { name: 'update user: no change', method: 'PATCH', path: `${U}/alice`, body: {}, status: 400, code: 'validation_failed' },
  { name: 'update user: wrong type', method: 'PATCH', path: `${U}/alice`, body: { displayName: 5 }, status: 400, code: 'validation_failed' },
  { name: 'update user: username is not changeable', method: 'PATCH', path: `${U}/alice`, body: { username: 'mallory' }, status: 400, code: 'validation_failed' },
  { name: 'update user: If-Match mismatch', method: 'PATCH', path: `${U}/alice`, body: { displayName: 'x' }, headers: { 'if-match': '"99"' }, status: 409, code: 'version_conflict' },
  { name: 'update user: If-Match not a version', method: 'PATCH', path: `${U}/alice`, body: { displayName: 'x' }, headers: { 'if-match': 'yesterday' }, status: 400, code: 'validation_failed' },
  { name: 'delete unknown user', method: 'DELETE', path: `${U}/nobody`, status: 404, code: 'unknown_user' },
  { name: 'delete user: If-Match mismatch', method: 'DELETE', path: `${U}/alice`, headers: { 'if-match': '"99"' }, status: 409, code: 'version_conflict' },
  { name: 'set PIN: missing', method: 'PUT', path: `${U}/alice/pin`, body: {}, status: 400, code: 'validation_failed', field: 'pin' },
  { name: 'set PIN: a number, not text', method: 'PUT', path: `${U}/alice/pin`, body: { pin: 482913 }, status: 400, code: 'validation_failed', field: 'pin' },
  { name: 'set PIN: too short', method: 'PUT', path: `${U}/alice/pin`, body: { pin: '48' }, status: 400, code: 'pin_too_short', field: 'pin' },
  { name: 'set PIN: trivial', method: 'PUT', path: `${U}/alice/pin`, body: { pin: '1234' }, status: 400, code: 'pin_trivial', field: 'pin' },
  { name: 'set PIN: unknown user', method: 'PUT', path: `${U}/nobody/pin`, body: { pin: '482913' }, status: 404, code: 'unknown_user' },
  { name: 'clear PIN: unknown user', method: 'DELETE', path: `${U}/nobody/pin`, status: 404, code: 'unknown_user' },
  { name: 'set password: missing', method: 'PUT', path: `${U}/alice/password`, body: {}, status: 400, code: 'validation_failed', field: 'password' },
  { name: 'set password: too short', method: 'PUT', path: `${U}/alice/password`, body: { password: 'short' }, status: 400, code: 'password_too_short', field: 'password' },
  { name: 'set password: unknown user', method: 'PUT', path: `${U}/nobody/password`, body: { password: 'long enough password' }, status: 404, code: 'unknown_user' },
  ...['enable', 'disable', 'unlock', 'block', 'unblock'].map((action): Case => (
    { name: `${action}: unknown user`, method: 'POST', path: `${U}/nobody/${action}`, status: 404, code: 'unknown_user' })),
  ...['enable', 'disable', 'unlock', 'unblock'].map((action): Case => (
    { name: `${action}: unknown body field`, method: 'POST', path: `${U}/alice/${action}`, body: { reason: 'x' }, status: 400, code: 'validation_failed', field: 'reason' })),
  { name: 'update user: wrong type names the field as sent', method: 'PATCH', path: `${U}/alice`, body: { language: 5 }, status: 400, code: 'validation_failed', field: 'language' },
  { name: 'block: reason of the wrong type', method: 'POST', path: `${U}/alice/block`, body: { reason: 5 }, status: 400, code: 'validation_failed', field: 'reason' },
  { name: 'list tokens: unknown user', method: 'GET', path: `${U}/nobody/tokens`, status: 404, code: 'unknown_user' },
  { name: 'assign token: unknown user', method: 'POST', path: `${U}/nobody/tokens`, body: {}, status: 404, code: 'unknown_user' },
  { name: 'assign token: 7 digits', method: 'POST', path: `${U}/alice/tokens`, body: { digits: 7 }, status: 400, code: 'validation_failed', field: 'digits' },
  { name: 'assign token: digits as text', method: 'POST', path: `${U}/alice/tokens`, body: { digits: '6' }, status: 400, code: 'validation_failed', field: 'digits' },
  { name: 'assign token: unknown kind', method: 'POST', path: `${U}/alice/tokens`, body: { kind: 'sms' }, status: 400, code: 'validation_failed', field: 'kind' },
  { name: 'assign token: seed not base32', method: 'POST', path: `${U}/alice/tokens`, body: { seed: 'not base32!' }, status: 400, code: 'invalid_seed', field: 'seed' },
  { name: 'assign token: seed too short', method: 'POST', path: `${U}/alice/tokens`, body: { seed: 'JBSWY3DP' }, status: 400, code: 'invalid_seed', field: 'seed' },
  { name: 'assign token: QR format not offered', method: 'POST', path: `${U}/alice/tokens?qr=gif`, body: {}, status: 400, code: 'validation_failed', field: 'qr' },
  { name: 'assign token: QR format twice', method: 'POST', path: `${U}/alice/tokens?qr=png&qr=svg`, body: {}, status: 400, code: 'validation_failed', field: 'qr' },
  { name: 'remove unknown token', method: 'DELETE', path: `${U}/alice/tokens/no-such-token`, status: 404, code: 'unknown_token' },
  { name: 'remove token: unknown user', method: 'DELETE', path: `${U}/nobody/tokens/no-such-token`, status: 404, code: 'unknown_user' },

  // ---- settings ----
  { name: 'settings: wrong type', method: 'PATCH', path: '/admin/v1/settings', body: { lockout: { failuresBeforeLockout: 'three' } }, status: 400, code: 'invalid_setting' },
  { name: 'settings: out of range', method: 'PATCH', path: '/admin/v1/settings', body: { pin: { minLength: 0 } }, status: 400, code: 'invalid_setting' },
  { name: 'settings: unknown key', method: 'PATCH', path: '/admin/v1/settings', body: { colour: 'blue' }, status: 400, code: 'invalid_setting' },
  { name: 'settings: If-Match mismatch', method: 'PATCH', path: '/admin/v1/settings', body: { lockout: { failuresBeforeLockout: 3 } }, headers: { 'if-match': '"99"' }, status: 409, code: 'version_conflict' },

  // ---- RADIUS clients ----
  { name: 'RADIUS client: missing fields', method: 'POST', path: '/admin/v1/radius-clients', body: {}, status: 400, code: 'validation_failed' },
  { name: 'RADIUS client: bad address', method: 'POST', path: '/admin/v1/radius-clients', body: { name: 'nas', address: '10.0.0.300', secret: 'long enough secret' }, status: 400, code: 'invalid_address', field: 'address' },
  { name: 'RADIUS client: secret too short', method: 'POST', path: '/admin/v1/radius-clients', body: { name: 'nas', address: '10.0.0.1', secret: 'short' }, status: 400, code: 'validation_failed', field: 'secret' },
  { name: 'RADIUS client: secret of the wrong type', method: 'POST', path: '/admin/v1/radius-clients', body: { name: 'nas', address: '10.0.0.1', secret: 12345678901 }, status: 400, code: 'validation_failed', field: 'secret' },
  { name: 'RADIUS client: ldap first factor without ldap', method: 'POST', path: '/admin/v1/radius-clients', body: { name: 'nas', address: '10.0.0.1', secret: 'long enough secret', firstFactor: 'ldap' }, status: 400, code: 'validation_failed', field: 'ldap' },
  { name: 'RADIUS client: duplicate name', method: 'POST', path: '/admin/v1/radius-clients', body: { name: 'vpn', address: '10.0.0.1', secret: 'long enough secret' }, status: 409, code: 'duplicate_radius_client' },
  { name: 'RADIUS client: get unknown', method: 'GET', path: '/admin/v1/radius-clients/nope', status: 404, code: 'unknown_radius_client' },
  { name: 'RADIUS client: update unknown', method: 'PATCH', path: '/admin/v1/radius-clients/nope', body: { name: 'x' }, status: 404, code: 'unknown_radius_client' },
  { name: 'RADIUS client: update with no change', method: 'PATCH', path: '/admin/v1/radius-clients/vpn', body: {}, status: 400, code: 'validation_failed' },
  { name: 'RADIUS client: update with a bad address', method: 'PATCH', path: '/admin/v1/radius-clients/vpn', body: { address: 'not an address' }, status: 400, code: 'invalid_address' },
  { name: 'RADIUS client: If-Match mismatch', method: 'PATCH', path: '/admin/v1/radius-clients/vpn', body: { name: 'vpn2' }, headers: { 'if-match': '"99"' }, status: 409, code: 'version_conflict' },
  { name: 'RADIUS client: remove unknown', method: 'DELETE', path: '/admin/v1/radius-clients/nope', status: 404, code: 'unknown_radius_client' },

  // ---- SDK credentials ----
  { name: 'SDK credential: missing fields', method: 'POST', path: '/admin/v1/sdk-credentials', body: {}, status: 400, code: 'validation_failed' },
  { name: 'SDK credential: unknown scope', method: 'POST', path: '/admin/v1/sdk-credentials', body: { name: 'app', scopes: ['root'] }, status: 400, code: 'validation_failed' },
  { name: 'SDK credential: no scopes', method: 'POST', path: '/admin/v1/sdk-credentials', body: { name: 'app', scopes: [] }, status: 400, code: 'validation_failed', field: 'scopes' },
  { name: 'SDK credential: scopes not a list', method: 'POST', path: '/admin/v1/sdk-credentials', body: { name: 'app', scopes: 'authenticate' }, status: 400, code: 'validation_failed', field: 'scopes' },
  { name: 'SDK credential: duplicate name', method: 'POST', path: '/admin/v1/sdk-credentials', body: { name: 'adfs', scopes: ['authenticate'] }, status: 409, code: 'duplicate_sdk_credential' },
  { name: 'SDK credential: revoke unknown', method: 'DELETE', path: '/admin/v1/sdk-credentials/nope', status: 404, code: 'unknown_sdk_credential' },

  // ---- administrators ----
  { name: 'administrator: missing name', method: 'POST', path: '/admin/v1/administrators', body: {}, status: 400, code: 'validation_failed', field: 'name' },
  { name: 'administrator: name of the wrong type', method: 'POST', path: '/admin/v1/administrators', body: { name: 5 }, status: 400, code: 'validation_failed', field: 'name' },
  { name: 'administrator: duplicate name', method: 'POST', path: '/admin/v1/administrators', body: { name: 'admin' }, status: 409, code: 'duplicate_administrator' },
  { name: 'administrator: remove unknown', method: 'DELETE', path: '/admin/v1/administrators/nope', status: 404, code: 'unknown_administrator' },
  { name: 'administrator: remove the last one', method: 'DELETE', path: '/admin/v1/administrators/admin', status: 409, code: 'last_administrator' },

  // ---- moving in: rollout, token import, directories ----
  { name: 'bypass: too short', method: 'POST', path: `${U}/alice/bypass`, body: { seconds: 1, reason: 'x' }, status: 400, code: 'validation_failed', field: 'seconds' },
  { name: 'bypass: no reason', method: 'POST', path: `${U}/alice/bypass`, body: { seconds: 60 }, status: 400, code: 'validation_failed', field: 'reason' },
  { name: 'bypass: unknown user', method: 'POST', path: `${U}/nobody/bypass`, body: { seconds: 60, reason: 'x' }, status: 404, code: 'unknown_user' },
  { name: 'rollout: unknown policy', method: 'PUT', path: '/admin/v1/radius-clients/vpn/rollout', body: { unenrolled: 'always' }, status: 400, code: 'validation_failed', field: 'unenrolled' },
  { name: 'rollout: first-factor-only without a first factor', method: 'PUT', path: '/admin/v1/radius-clients/vpn/rollout', body: { unenrolled: 'first-factor-only' }, status: 400, code: 'validation_failed', field: 'unenrolled' },
  { name: 'token import: no tokens', method: 'POST', path: '/admin/v1/tokens/import', body: { tokens: [] }, status: 400, code: 'validation_failed', field: 'tokens' },
  { name: 'token import: bad dryRun', method: 'POST', path: '/admin/v1/tokens/import?dryRun=maybe', body: { tokens: [{}] }, status: 400, code: 'validation_failed', field: 'dryRun' },
  { name: 'token from pool: unknown serial', method: 'POST', path: `${U}/alice/tokens/from-pool`, body: { serial: 'NOPE-1' }, status: 404, code: 'unknown_token' },
  { name: 'directory: missing fields', method: 'POST', path: '/admin/v1/directories', body: { name: 'corp' }, status: 400, code: 'validation_failed' },
  { name: 'directory: bad URL', method: 'POST', path: '/admin/v1/directories', body: { name: 'corp', urls: ['http://dc1'], bindDn: 'cn=x', bindPassword: 'p', baseDn: 'dc=x' }, status: 400, code: 'validation_failed', field: 'urls.0' },
  { name: 'directory: sync unknown', method: 'POST', path: '/admin/v1/directories/nope/sync', status: 404, code: 'unknown_directory' },
  { name: 'directory: approve a malformed run id', method: 'POST', path: '/admin/v1/directories/runs/x/approve', status: 400, code: 'validation_failed', field: 'run' },
];

describe('admin API: bad input changes nothing', () => {
  let server: ServerProcess;
  let snapshot: () => Promise<unknown>;
  let before: unknown;

  const send = (c: { method: string; path: string; body?: unknown; raw?: string; headers?: Record<string, string> }, token?: string | null): Promise<JsonResponse> =>
    httpsJson(c.method, `${server.url}${c.path}`, { ca: server.ca, token: token === null ? undefined : token ?? server.adminToken, body: c.body, rawBody: c.raw, headers: c.headers });

  beforeAll(async () => {
    server = await ServerProcess.start();
    const setup = [
      await server.api('POST', '/admin/v1/users', { username: 'alice', displayName: 'Alice' }),
      await server.api('POST', '/admin/v1/users/alice/tokens', {}),
      await server.api('POST', '/admin/v1/radius-clients', { name: 'vpn', address: '10.1.0.0/16', secret: 'radius shared secret' }),
      await server.api('POST', '/admin/v1/sdk-credentials', { name: 'adfs', scopes: ['authenticate'] }),
    ];
    expect(setup.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    snapshot = async () => {
      const get = async (path: string) => (await server.api('GET', path)).body;
      return {
        users: await get('/admin/v1/users'), tokens: await get('/admin/v1/users/alice/tokens'), settings: await get('/admin/v1/settings'),
        radiusClients: await get('/admin/v1/radius-clients'), sdk: await get('/admin/v1/sdk-credentials'), admins: await get('/admin/v1/administrators'),
      };
    };
    before = await snapshot();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const head = await logHead(server);
    const res = await send(c);
    expect({ status: res.status, code: res.body?.code }).toEqual({ status: c.status, code: c.code });
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: `urn:twofold:error:${c.code}`, status: c.status, detail: expect.any(String) });
    expect(res.body.detail.length).toBeGreaterThan(5);
    if (c.field) expect(res.body.field).toBe(c.field);
    expect(await logHead(server)).toBe(head);
  });

  const pathFor = (path: string) => path.replace('{user}', 'alice').replace('{tokenId}', 'x').replace('{deviceId}', 'x').replace('{client}', 'vpn').replace('{credential}', 'adfs').replace('{admin}', 'admin').replace('{name}', 'corp').replace('{run}', 'corp.1');
  const wrongToken = '00000000-0000-4000-8000-000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

  it.each(ADMIN_OPERATIONS.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))('%s refuses a missing, wrong or malformed credential with 401', async (_name, op) => {
    const head = await logHead(server);
    const request = { method: op.method.toUpperCase(), path: pathFor(op.path), body: op.body ? {} : undefined };
    const refused = [
      await send(request, null),
      await send(request, wrongToken),
      await send(request, server.adminToken.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))),
      await send({ ...request, headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` } }, null),
    ];
    for (const res of refused) expect({ status: res.status, code: res.body?.code }).toEqual({ status: 401, code: 'unauthenticated' });
    expect(await logHead(server)).toBe(head);
  });

  it('takes an empty settings change as a no-op: nothing is appended', async () => {
    const head = await logHead(server);
    const res = await send({ method: 'PATCH', path: '/admin/v1/settings', body: {} });
    expect(res.status).toBe(200);
    expect(await logHead(server)).toBe(head);
  });

  it('left every resource as it was', async () => {
    expect(await snapshot()).toEqual(before);
  });
});
