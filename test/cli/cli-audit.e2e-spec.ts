import { ServerProcess } from '../support/server-process';
import { twofold } from '../support/cli';
import { httpsJson } from '../support/https-json';

// An auditor's question, answered from the log: what did this user look like at a moment,
// and who changed it?
describe('twofold audit user', () => {
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('shows the user as of a moment and every change with its administrator, never a secret', async () => {
    server = await ServerProcess.start();
    expect((await server.api('POST', '/admin/v1/users', { username: 'ann', displayName: 'Ann' })).status).toBe(201);
    const eve = (await server.api('POST', '/admin/v1/administrators', { name: 'eve' })).body.token as string;
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const asEve = await httpsJson('PATCH', `${server.url}/admin/v1/users/ann`, { ca: server.ca, token: eve, body: { displayName: 'Ann B' } });
    expect(asEve.status).toBe(200);
    expect((await server.api('PUT', '/admin/v1/users/ann/pin', { pin: '48213' })).status).toBe(200);
    const dataDir = server.dataDir;
    await server.stop();
    server = undefined;

    const now = await twofold(['--data-dir', dataDir, '--json', 'audit', 'user', 'ann']);
    expect(now.code).toBe(0);
    const [current] = now.json();
    expect(current.state.profile.displayName).toBe('Ann B');
    expect(current.state.pin).toBe('set');
    expect(current.changes.map((c: { type: string; actor: string }) => `${c.type} by ${c.actor}`)).toEqual([
      'UserCreated by admin:admin', 'UserUpdated by admin:eve', 'UserPinSet by admin:admin',
    ]);
    expect(now.stdout).not.toMatch(/argon2|48213/);

    const then = await twofold(['--data-dir', dataDir, '--json', 'audit', 'user', 'ann', '--at', between]);
    expect(then.json()[0].state.profile.displayName).toBe('Ann');
    expect(then.json()[0].changes).toHaveLength(1);

    const readable = await twofold(['--data-dir', dataDir, 'audit', 'user', 'ANN']);
    expect(readable.stdout).toMatch(/display name:\s+Ann B/);
    const unknown = await twofold(['--data-dir', dataDir, 'audit', 'user', 'nobody']);
    expect(unknown.code).toBe(4);
    const badDate = await twofold(['--data-dir', dataDir, 'audit', 'user', 'ann', '--at', 'yesterday-ish']);
    expect(badDate.code).toBe(2);
  });
});
