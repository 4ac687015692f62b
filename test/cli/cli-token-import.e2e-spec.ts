import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliFor, logHead } from '../support/cli';
import { ServerProcess } from '../support/server-process';
import { addRadiusClient, createRadiusUser, hasOathtool, hasRadclient, radclient } from '../support/radius-tools';

// `twofold token import` against a running server: PSKC documents from RFC 6030 (Figure 5 plain,
// Figure 6 encrypted with a pre-shared key and a MAC), a wrong key, a tampered MAC, a CSV with
// refused lines; then a sign-in with the imported tokens through radclient and oathtool.
const describeIfTools = hasRadclient && hasOathtool ? describe : describe.skip;
const SECRET = 'token-import-e2e-secret';
const FIXTURES = join(__dirname, '../fixtures/pskc');
const RFC_SECRET_HEX = Buffer.from('12345678901234567890').toString('hex');
const TOTP_SEED_HEX = '8f1a0d3c5e7b9a2c4e6f8091a2b3c4d5e6f70819';

describeIfTools('token import (PSKC and CSV)', () => {
  let server: ServerProcess;
  let cli: ReturnType<typeof cliFor>;
  let dir: string;
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const pap = (user: string, password: string) =>
    radclient(server.radiusPort, SECRET, { 'User-Name': user, 'User-Password': password, 'Message-Authenticator': '0x00' }, { timeoutS: 10 });
  const hotp = (hex: string, counter: number, digits = 8) => execFileSync('oathtool', ['--hotp', '-d', String(digits), '-c', String(counter), hex], { encoding: 'utf8' }).trim();
  const totp = (hex: string) => execFileSync('oathtool', ['--totp', hex], { encoding: 'utf8' }).trim();

  beforeAll(async () => {
    server = await ServerProcess.start();
    cli = cliFor(server);
    dir = mkdtempSync(join(tmpdir(), 'twofold-token-import-'));
    await addRadiusClient(server, { name: 'nas', address: '127.0.0.1', secret: SECRET, firstFactor: 'none' });
    await createRadiusUser(server, 'erin');
    await createRadiusUser(server, 'frank');
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('an encrypted file needs --key-file; a wrong key and a tampered MAC are refused and write nothing', async () => {
    const head = await logHead(server);
    const figure6 = join(FIXTURES, 'rfc6030-figure6.pskcxml');
    const noKey = await cli(['token', 'import', figure6]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/--key-file/);
    const wrong = await cli(['token', 'import', figure6, '--key-file', file('wrong.key', '00112233445566778899aabbccddeeff\n')]);
    expect(wrong.code).toBe(3);
    expect(wrong.stdout).toMatch(/refused entry 1 \(serial 987654321\): bad_mac: .*wrong --key-file/);
    const tampered = file('tampered.pskcxml', readFileSync(figure6, 'utf8').replace('Su+NvtQfmvfJzF6bmQiJqoLRExc=', 'Tu+NvtQfmvfJzF6bmQiJqoLRExc='));
    const bad = await cli(['token', 'import', tampered, '--key-file', file('good.key', '12345678901234567890123456789012')]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/bad_mac: the MAC of the secret does not match/);
    expect(await logHead(server)).toBe(head);
  });

  it('--dry-run reports and writes nothing; the real import puts the RFC 6030 token in the pool, and assign takes it', async () => {
    const figure6 = join(FIXTURES, 'rfc6030-figure6.pskcxml');
    const key = file('psk.key', '12345678901234567890123456789012');
    const head = await logHead(server);
    const dry = await cli(['token', 'import', figure6, '--key-file', key, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would import 1 token\(s\): 0 to users, 1 to the unassigned pool; 0 refused \(dry run/);
    expect(await logHead(server)).toBe(head);

    const done = await cli(['token', 'import', figure6, '--key-file', key]);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/imported 1 token\(s\): 0 to users, 1 to the unassigned pool/);
    const pool = await cli(['token', 'pool']);
    expect(pool.stdout).toMatch(/987654321\s+hotp\s+SHA1\s+8\s+\(unassigned\)/);
    // The same document again: its serial is taken.
    const again = await cli(['token', 'import', figure6, '--key-file', key]);
    expect(again.code).toBe(3);
    expect(again.stdout).toMatch(/duplicate_serial/);

    const assigned = await cli(['token', 'assign', 'erin', '--serial', '987654321']);
    expect(assigned.code).toBe(0);
    expect(assigned.stdout).toMatch(/assigned token 987654321 .* to erin/);
    const twice = await cli(['token', 'assign', 'frank', '--serial', '987654321']);
    expect(twice.code).toBe(5);
    for (const out of [dry.stdout, done.stdout, pool.stdout, assigned.stdout]) {
      expect(out).not.toContain(RFC_SECRET_HEX);
      expect(out).not.toContain('GEZDGNBVGY3TQOJQ');
    }
    // The hardware token signs in (HOTP, 8 digits, counter 0 then 1), once per code.
    const first = hotp(RFC_SECRET_HEX, 0);
    expect((await pap('erin', first)).code).toBe('Access-Accept');
    expect((await pap('erin', first)).code).toBe('Access-Reject');
    expect((await pap('erin', hotp(RFC_SECRET_HEX, 1))).code).toBe('Access-Accept');
  });

  it('imports a CSV: tokens with a username go to that user, refused lines are listed with their reason', async () => {
    const csv = file('tokens.csv', [
      'serial,seed,type,digits,period,counter,algorithm,username',
      `T-100,${TOTP_SEED_HEX},totp,6,30,,SHA1,frank`,
      `T-101,${TOTP_SEED_HEX},totp,6,30,,MD5,`,
      `T-102,${TOTP_SEED_HEX},totp,6,30,,SHA1,nobody`,
      `987654321,${TOTP_SEED_HEX},hotp,6,,0,SHA1,`,
      `T-103,base32:GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ,hotp,6,,0,SHA256,`,
    ].join('\n'));
    const res = await cli(['token', 'import', csv]);
    expect(res.code).toBe(3);
    expect(res.stdout).toMatch(/refused line 3 \(serial T-101\): unknown_algorithm/);
    expect(res.stdout).toMatch(/refused line 4 \(serial T-102\): unknown_user: no user "nobody"/);
    expect(res.stdout).toMatch(/refused line 5 \(serial 987654321\): duplicate_serial/);
    expect(res.stdout).toMatch(/imported 2 token\(s\): 1 to users, 1 to the unassigned pool; 3 refused/);
    expect(res.stdout).not.toContain(TOTP_SEED_HEX);
    const tokens = await cli(['token', 'list', 'frank']);
    expect(tokens.stdout).toMatch(/totp\s+SHA1\s+6\s+30s\s+T-100/);
    expect((await pap('frank', totp(TOTP_SEED_HEX))).code).toBe('Access-Accept');
  });

  it('never logs a seed or the pre-shared key', () => {
    const logs = server.stdout.join('');
    const seedBase32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    for (const secret of [RFC_SECRET_HEX, seedBase32, TOTP_SEED_HEX, '12345678901234567890123456789012']) expect(logs).not.toContain(secret);
  });
});
