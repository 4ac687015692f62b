// RADIUS load benchmark: `npm run bench:radius`. Seeds 10,000 users (password + TOTP token) into
// a temp data directory, starts the real server (dist/), and drives it with many Access-Requests
// in flight (Message-Authenticator on, password+code in one request, each code used once). If
// FreeRADIUS is installed, the same load (PAP from its `files` module, same users) runs against
// it too. Prints figures; asserts nothing.
//   BENCH_USERS (10000), BENCH_CONCURRENCY (64), BENCH_WARMUP (300)
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, Socket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  AddRadiusClient, decideAddRadiusClient, INITIAL_RADIUS_CLIENT_STATE, makeEvent, newId, SealContext, SecretKeyring, Streams, toRecord,
} from '@twofold/domain';
import { openStorage, TypeOrmEventStore } from '@twofold/event-store';
import { base32Encode } from '@twofold/domain';
import { Argon2idHasher, generateTotp, TEST_ARGON2ID_PARAMS } from '@twofold/mfa';
import { openDataDir } from '@twofold/platform';
import { ReadModelProjector } from '@twofold/read-model';
import { buildRequest, parsePacket, RadiusCode, RadiusPacket, stringAttribute, verifyResponse } from '@twofold/radius';
import { freePort } from '../support/ports';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const SECRET = 'bench-radius-secret';
const PASSWORD = 'bench-password';
const SERVER_MAIN = resolve(__dirname, '../../apps/server/src/main.js');
const FREERADIUS = '/usr/sbin/freeradius';

const log = (line: string) => process.stdout.write(`${line}\n`);

interface BenchUser { username: string; seed: Buffer }

// Users straight into the log (the same events the admin API writes), one password hash shared
// by all (cheap TEST argon2id parameters: the bench measures RADIUS, not the password hash).
async function seed(dataDirPath: string, users: BenchUser[]): Promise<void> {
  const dataDir = openDataDir(dataDirPath, { nodeName: 'bench' });
  const dataSource = await openStorage({ sqlitePath: dataDir.sqlitePath });
  const store = new TypeOrmEventStore(dataSource);
  const keyring = new SecretKeyring(dataDir.masterKeyId, { [dataDir.masterKeyId]: dataDir.masterKey });
  const passwordHash = await new Argon2idHasher(TEST_ARGON2ID_PARAMS).hash(PASSWORD);
  const metadata = { actor: 'admin:bench', nodeId: dataDir.identity.nodeId, epoch: 0 };
  const started = Date.now();
  const command = AddRadiusClient.create({ name: 'bench', address: '127.0.0.1', secret: SECRET, firstFactor: 'local-password' });
  const clientEvents = decideAddRadiusClient(INITIAL_RADIUS_CLIENT_STATE, command, { sealer: keyring, nameTaken: false });
  await store.append(Streams.radiusClient(command.clientId), 0, clientEvents.map((e) => ({ ...toRecord(e), metadata })));
  for (const user of users) {
    const userId = newId();
    const tokenId = newId();
    const events = [
      makeEvent('UserCreated', { userId, username: user.username, displayName: user.username, contact: { email: null, phones: [] }, preferredMethod: 'totp', language: 'en' }),
      makeEvent('UserPasswordSet', { userId, passwordHash }),
      makeEvent('OathTokenAssigned', {
        userId, tokenId, kind: 'totp', algorithm: 'SHA1', digits: 6, period: 30, counter: 0, label: 'bench',
        seed: keyring.seal(base32Encode(user.seed), SealContext.oathSeed(userId, tokenId)),
      }),
    ];
    await store.append(Streams.user(userId), 0, events.map((e) => ({ ...toRecord(e), metadata })));
  }
  const projector = new ReadModelProjector(dataSource);
  await projector.init();
  await projector.catchUp(store);
  await store.close();
  log(`  seeded ${users.length} users in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

interface LoadResult { sent: number; accepts: number; rejects: number; other: number; timeouts: number; seconds: number; latencies: number[] }

// CONCURRENCY workers, each with its own socket and one request in flight at a time.
// requireReplyMa: FreeRADIUS 3.2.1 signs replies without a Message-Authenticator unless told to.
async function load(port: number, jobs: Array<() => { username: string; password: string }>, concurrency: number, requireReplyMa = true): Promise<LoadResult> {
  const result: LoadResult = { sent: 0, accepts: 0, rejects: 0, other: 0, timeouts: 0, seconds: 0, latencies: [] };
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((res) => socket.bind(0, '127.0.0.1', res));
    try {
      for (;;) {
        const index = next++;
        if (index >= jobs.length) return;
        const { username, password } = jobs[index]();
        const request = buildRequest({ secret: SECRET, userPassword: password, attributes: [stringAttribute('User-Name', username), stringAttribute('NAS-Identifier', 'bench')] });
        const t0 = process.hrtime.bigint();
        const answer = await exchange(socket, request, port, requireReplyMa);
        result.sent++;
        if (!answer) { result.timeouts++; continue; }
        result.latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (answer.code === RadiusCode.AccessAccept) result.accepts++;
        else if (answer.code === RadiusCode.AccessReject) result.rejects++;
        else result.other++;
      }
    } finally {
      socket.close();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  result.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return result;
}

// Up to 3 transmissions 2 s apart (same packet: the server's duplicate cache answers a late one).
function exchange(socket: Socket, request: RadiusPacket, port: number, requireReplyMa: boolean): Promise<RadiusPacket | undefined> {
  return new Promise((res) => {
    let tries = 0;
    let timer: NodeJS.Timeout;
    const send = () => {
      if (tries++ === 3) { socket.off('message', onMessage); return res(undefined); }
      socket.send(request.raw, port, '127.0.0.1');
      timer = setTimeout(send, 2000);
    };
    const onMessage = (msg: Buffer) => {
      let packet: RadiusPacket;
      try { packet = parsePacket(msg); } catch { return; }
      if (packet.identifier !== request.identifier || !verifyResponse(packet, request, SECRET, { requireMessageAuthenticator: requireReplyMa }).ok) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      res(packet);
    };
    socket.on('message', onMessage);
    send();
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

function report(name: string, r: LoadResult): number {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const perSecond = r.accepts / r.seconds;
  log(`  ${name.padEnd(26)} ${String(r.sent).padStart(6)} req  ${perSecond.toFixed(0).padStart(6)} accepts/s  p50 ${percentile(sorted, 50).toFixed(2).padStart(7)} ms  p99 ${percentile(sorted, 99).toFixed(2).padStart(7)} ms  accept ${r.accepts} reject ${r.rejects} other ${r.other} timeout ${r.timeouts}`);
  return perSecond;
}

async function waitForAnswer(port: number, probe: () => { username: string; password: string }, what: string, child: ChildProcess, requireReplyMa = true): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const r = await load(port, [probe], 1, requireReplyMa).catch(() => undefined);
    if (r && r.accepts + r.rejects > 0) return;
    if (Date.now() > deadline) throw new Error(`${what} did not answer within 30 s`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((res) => child.once('exit', res));
  child.kill('SIGTERM');
  await exited;
}

async function benchTwofold(users: BenchUser[], warm: BenchUser[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-radius-'));
  const dataDir = join(dir, 'data');
  try {
    await seed(dataDir, [...warm, ...users]);
    const [httpPort, authPort, acctPort] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(process.execPath, [SERVER_MAIN], {
      env: {
        PATH: process.env.PATH ?? '', TWOFOLD_DATA_DIR: dataDir, TWOFOLD_LOG_LEVEL: 'warn', TWOFOLD_HTTP_BIND: '127.0.0.1', TWOFOLD_HTTP_PORT: String(httpPort),
        TWOFOLD_RADIUS_BIND: '127.0.0.1', TWOFOLD_RADIUS_AUTH_PORT: String(authPort), TWOFOLD_RADIUS_ACCT_PORT: String(acctPort),
      },
      stdio: ['ignore', 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'],
    });
    try {
      const totpJob = (u: BenchUser) => () => ({ username: u.username, password: `${PASSWORD}${generateTotp(u.seed, Date.now())}` });
      await waitForAnswer(authPort, totpJob(warm[0]), 'twofold', child);
      report('twofold warm-up', await load(authPort, warm.slice(1).map(totpJob), CONCURRENCY));
      return report('twofold PAP+TOTP', await load(authPort, users.map(totpJob), CONCURRENCY));
    } finally {
      await stop(child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchFreeRadius(users: BenchUser[], warm: BenchUser[]): Promise<number | undefined> {
  if (!existsSync(FREERADIUS)) {
    log('  FreeRADIUS not installed, skipped');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-freeradius-'));
  try {
    const port = await freePort();
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, 'dictionary'), '$INCLUDE /usr/share/freeradius/dictionary\n');
    writeFileSync(join(dir, 'authorize'), [...warm, ...users].map((u) => `${u.username} Cleartext-Password := "${PASSWORD}"`).join('\n') + '\n');
    writeFileSync(join(dir, 'radiusd.conf'), `
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = ${dir}
sbindir = /usr/sbin
logdir = ${dir}
raddbdir = ${dir}
radacctdir = ${dir}
name = freeradius
confdir = \${raddbdir}
modconfdir = \${confdir}
run_dir = ${dir}/run
db_dir = \${raddbdir}
libdir = /usr/lib/freeradius
pidfile = \${run_dir}/freeradius.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 65536
hostname_lookups = no
log {
  destination = stderr
  auth = no
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = yes
}
thread pool {
  start_servers = 4
  max_servers = 32
  min_spare_servers = 2
  max_spare_servers = 8
  max_requests_per_server = 0
}
client bench {
  ipaddr = 127.0.0.1
  secret = ${SECRET}
  require_message_authenticator = yes
}
modules {
  files {
    filename = ${dir}/authorize
  }
  pap {
    normalise = yes
  }
}
server default {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${port}
  }
  authorize {
    files
    pap
  }
  authenticate {
    Auth-Type PAP {
      pap
    }
  }
}
`);
    const check = spawnSync(FREERADIUS, ['-C', '-d', dir], { encoding: 'utf8' });
    if (check.status !== 0) {
      log(`  FreeRADIUS configuration check failed, skipped: ${(check.stdout + check.stderr).trim().split('\n').slice(-3).join(' | ')}`);
      return undefined;
    }
    const child = spawn(FREERADIUS, ['-f', '-d', dir], { stdio: ['ignore', 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'] });
    try {
      const papJob = (u: BenchUser) => () => ({ username: u.username, password: PASSWORD });
      await waitForAnswer(port, papJob(warm[0]), 'freeradius', child, false);
      report('freeradius warm-up', await load(port, warm.slice(1).map(papJob), CONCURRENCY, false));
      return report('freeradius PAP (files)', await load(port, users.map(papJob), CONCURRENCY, false));
    } finally {
      await stop(child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run npm run build first`);
  const make = (prefix: string, n: number): BenchUser[] => Array.from({ length: n }, (_, i) => ({ username: `${prefix}${String(i).padStart(5, '0')}`, seed: randomBytes(20) }));
  const users = make('bench', USERS);
  const warm = make('warm', Math.max(2, WARMUP));
  log(`RADIUS bench: ${USERS} users, ${CONCURRENCY} requests in flight, Message-Authenticator on every request and reply`);
  log('Twofold: local password (argon2id, test parameters) + TOTP appended, each code accepted once (OathCodeUsed + AuthenticationSucceeded in the log)');
  const twofold = await benchTwofold(users, warm);
  log('FreeRADIUS 3: PAP against Cleartext-Password from the files module (no second factor, nothing written)');
  const freeradius = await benchFreeRadius(users, warm);
  if (freeradius !== undefined) log(`  ratio twofold / freeradius accepts/s: ${(twofold / freeradius).toFixed(3)}`);
}

main().catch((err) => {
  process.stderr.write(`bench-radius failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
