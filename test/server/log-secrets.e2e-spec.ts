import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verify as argon2Verify } from '@node-rs/argon2';
import { openStorage, TypeOrmEventStore } from '@twofold/event-store';
import { Argon2idHasher, TEST_ARGON2ID_PARAMS } from '@twofold/mfa';
import { twofold } from '../support/cli';
import { ServerProcess } from '../support/server-process';
import { addRadiusClient, hasOathtool, hasRadclient, oathtoolTotp, radclient, secretFromOtpauth } from '../support/radius-tools';

// Issue 14: a copy of the log (the NDJSON export, the SQLite file) must give an attacker nothing to
// guess PINs or passwords against, and no phone numbers or e-mail addresses; a data directory from
// before keeps working.
const describeIfTools = hasRadclient && hasOathtool ? describe : describe.skip;
if (!hasRadclient || !hasOathtool) console.warn('radclient or oathtool not installed: skipping log secrets e2e');

const SECRET = 'log-secrets-e2e-secret';
const PHONE = '+4915112345678';
const EMAIL = 'ann.lee@contoso.example';

// What an attacker with a copy of the log does with a stored hash: argon2-verify guesses against it.
async function guessMatches(stored: unknown, guess: string): Promise<boolean> {
  if (typeof stored !== 'string' || !stored.startsWith('$argon2')) return false;
  try {
    return await argon2Verify(stored, guess);
  } catch {
    return false;
  }
}

async function exportLog(dataDir: string): Promise<Array<{ type: string; schemaVersion: number; payload: Record<string, unknown> }>> {
  const exported = await twofold(['--data-dir', dataDir, 'log', 'export']);
  expect(exported.code).toBe(0);
  return exported.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

function rawSqlite(dataDir: string): string {
  const file = join(dataDir, 'twofold.sqlite');
  const parts = [readFileSync(file)];
  try {
    parts.push(readFileSync(`${file}-wal`));
  } catch {
    // no write-ahead log left after a clean stop
  }
  return Buffer.concat(parts).toString('latin1');
}

describeIfTools('secrets and personal data in the log', () => {
  let server: ServerProcess | undefined;
  const pap = (username: string, password: string) =>
    radclient(server!.radiusPort, SECRET, { 'User-Name': username, 'User-Password': password, 'Message-Authenticator': '0x00' });

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('hold no hash to guess a PIN or password against and no phone or e-mail, while the server still signs the user in', async () => {
    server = await ServerProcess.start();
    await addRadiusClient(server, { name: 'loopback', address: '127.0.0.1', secret: SECRET, firstFactor: 'local-password' });
    expect((await server.api('POST', '/admin/v1/users', { username: 'ann', email: EMAIL, phones: [{ label: 'mobile', number: PHONE }] })).status).toBe(201);
    expect((await server.api('PUT', '/admin/v1/users/ann/password', { password: 'ann-password' })).status).toBe(200);
    expect((await server.api('PUT', '/admin/v1/users/ann/pin', { pin: '4812' })).status).toBe(200);
    const token = await server.api('POST', '/admin/v1/users/ann/tokens', {});
    const seed = secretFromOtpauth(token.body.otpauthUri as string);
    expect((await pap('ann', `ann-password4813${oathtoolTotp(seed)}`)).code).toBe('Access-Reject');
    expect((await pap('ann', `ann-password4812${oathtoolTotp(seed)}`)).code).toBe('Access-Accept');
    // The administrator still sees the contact details through the API.
    expect((await server.api('GET', '/admin/v1/users/ann')).body).toMatchObject({ email: EMAIL, phones: [{ number: PHONE }] });
    const dataDir = server.dataDir;
    await server.stop();
    server = undefined;

    const records = await exportLog(dataDir);
    const text = JSON.stringify(records);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain('$argon2');
    const pinSet = records.find((r) => r.type === 'UserPinSet')!;
    const passwordSet = records.find((r) => r.type === 'UserPasswordSet')!;
    expect(pinSet.schemaVersion).toBe(2);
    // Even the right guesses do not match: nothing in the copy can be brute-forced offline.
    expect(await guessMatches(pinSet.payload.pinHash, '4812')).toBe(false);
    expect(await guessMatches(passwordSet.payload.passwordHash, 'ann-password')).toBe(false);
    // The raw database file holds no argon2 hash either (log, read model and outbox alike).
    expect(rawSqlite(dataDir)).not.toContain('$argon2');

    // The audit runs on the data directory, which holds the master key: it shows the contact
    // details to the administrator, and the secrets only as "set".
    const audit = await twofold(['--data-dir', dataDir, '--json', 'audit', 'user', 'ann']);
    expect(audit.code).toBe(0);
    const [state] = audit.json();
    expect(state.state).toMatchObject({ pin: 'set', password: 'set', profile: { email: EMAIL, phones: [{ number: PHONE }] } });
    expect(audit.stdout).not.toMatch(/argon2|4812|ann-password/);

    // A restart replays the sealed records: the user still signs in.
    server = await ServerProcess.start({ dataDir });
    expect((await pap('ann', `ann-password4812${oathtoolTotp(seed, 30)}`)).code).toBe('Access-Accept');
  });

  it('a data directory whose users were written by the first release (schema v1) still starts, and its users sign in', async () => {
    server = await ServerProcess.start();
    await addRadiusClient(server, { name: 'loopback', address: '127.0.0.1', secret: SECRET, firstFactor: 'local-password' });
    const { dataDir, adminToken } = server;
    await server.stop();
    server = undefined;

    // The records exactly as schema v1 had them: clear contact, bare argon2id hashes.
    const hasher = new Argon2idHasher(TEST_ARGON2ID_PARAMS);
    const dataSource = await openStorage({ sqlitePath: join(dataDir, 'twofold.sqlite') });
    const store = new TypeOrmEventStore(dataSource);
    const metadata = { actor: 'admin:admin', nodeId: 'first-release', epoch: 0 };
    const userId = 'u-old-timer';
    await store.append(`user-${userId}`, 0, [
      { type: 'UserCreated', schemaVersion: 1, metadata, payload: { userId, username: 'olga', displayName: 'Olga', email: 'olga@contoso.example', phones: [{ label: 'mobile', number: '+4915100000001' }], preferredMethod: 'totp', language: 'en' } },
      { type: 'UserUpdated', schemaVersion: 1, metadata, payload: { userId, changes: { displayName: 'Olga O', email: 'olga.o@contoso.example' } } },
      { type: 'UserPasswordSet', schemaVersion: 1, metadata, payload: { userId, passwordHash: await hasher.hash('olga-password') } },
      { type: 'UserPinSet', schemaVersion: 1, metadata, payload: { userId, pinHash: await hasher.hash('2468') } },
    ]);
    await store.close();

    server = await ServerProcess.start({ dataDir, adminToken });
    expect((await server.api('GET', '/admin/v1/users/olga')).body).toMatchObject({
      displayName: 'Olga O', email: 'olga.o@contoso.example', phones: [{ number: '+4915100000001' }],
    });
    const token = await server.api('POST', '/admin/v1/users/olga/tokens', {});
    expect(token.status).toBe(201);
    const seed = secretFromOtpauth(token.body.otpauthUri as string);
    expect((await pap('olga', `olga-password2469${oathtoolTotp(seed)}`)).code).toBe('Access-Reject');
    expect((await pap('olga', `olga-password2468${oathtoolTotp(seed)}`)).code).toBe('Access-Accept');

    // Changing the PIN writes the sealed form; the old PIN stops working, the new one works.
    expect((await server.api('PUT', '/admin/v1/users/olga/pin', { pin: '1357' })).status).toBe(200);
    expect((await pap('olga', `olga-password2468${oathtoolTotp(seed, 30)}`)).code).toBe('Access-Reject');
    expect((await pap('olga', `olga-password1357${oathtoolTotp(seed, 30)}`)).code).toBe('Access-Accept');
    await server.stop();
    server = undefined;

    // The audit tells the administrator which secrets still have the old, guessable form.
    const audit = await twofold(['--data-dir', dataDir, '--json', 'audit', 'user', 'olga']);
    expect(audit.json()[0].state).toMatchObject({ pin: 'set', password: 'set (unkeyed)', profile: { email: 'olga.o@contoso.example' } });
  });
});
