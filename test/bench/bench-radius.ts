// RADIUS load benchmark: `npm run bench:radius`. Measured the way a RADIUS peer is measured: the
// server pinned to core 0 (`taskset -c 0`), ../shared/bench/loadgen.mjs (not the bottleneck) on
// core 1, 64 requests in flight, Message-Authenticator on, first factor none (the code alone).
// Users user00001.. with OATH seeds SHA-1("seed:" + name) (loadgen's rule), written straight into
// the log (the same events the admin API writes): HOTP users, TOTP users, and history users (HOTP,
// each with BENCH_HISTORY_SIGNINS prior sign-ins already in its stream). FreeRADIUS PAP (files
// module) on the same generator when installed. Prints figures; asserts nothing.
//   BENCH_USERS (10000), BENCH_HISTORY_USERS (200), BENCH_HISTORY_SIGNINS (1000),
//   BENCH_CONCURRENCY (64), BENCH_DURATION (10), BENCH_WARMUP (2)
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  AddRadiusClient, base32Encode, DomainEvent, decideAddRadiusClient, INITIAL_RADIUS_CLIENT_STATE, makeEvent, newId, SealContext, SecretKeyring, Streams, toRecord,
} from '@twofold/domain';
import { openStorage, TypeOrmEventStore } from '@twofold/event-store';
import { openDataDir } from '@twofold/platform';
import { ReadModelProjector } from '@twofold/read-model';
import { freePort } from '../support/ports';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const HISTORY_USERS = Number(process.env.BENCH_HISTORY_USERS ?? 200);
const HISTORY_SIGNINS = Number(process.env.BENCH_HISTORY_SIGNINS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const SECRET = 'bench-radius-secret';
const SERVER_MAIN = resolve(__dirname, '../../apps/server/src/main.js');
const LOADGEN = resolve(__dirname, '../../../../shared/bench/loadgen.mjs');
const FREERADIUS = '/usr/sbin/freeradius';
// Ranges of loadgen users (user-offset, count).
const HOTP = { offset: 0, users: USERS };
const TOTP = { offset: USERS, users: USERS };
const HISTORY = { offset: 2 * USERS, users: HISTORY_USERS };

const log = (line: string) => process.stdout.write(`${line}\n`);
const pad5 = (i: number) => String(i).padStart(i > 99999 ? 6 : 5, '0');
const nameOf = (i: number) => `user${pad5(i)}`;
const seedOf = (name: string) => createHash('sha1').update(`seed:${name}`).digest();

async function seed(dataDirPath: string): Promise<void> {
  const dataDir = openDataDir(dataDirPath, { nodeName: 'bench' });
  const dataSource = await openStorage({ sqlitePath: dataDir.sqlitePath });
  const store = new TypeOrmEventStore(dataSource);
  const keyring = new SecretKeyring(dataDir.masterKeyId, { [dataDir.masterKeyId]: dataDir.masterKey });
  const metadata = { actor: 'admin:bench', nodeId: dataDir.identity.nodeId, epoch: 0 };
  const started = Date.now();
  const command = AddRadiusClient.create({ name: 'bench', address: '127.0.0.1', secret: SECRET, firstFactor: 'none' });
  const clientEvents = decideAddRadiusClient(INITIAL_RADIUS_CLIENT_STATE, command, { sealer: keyring, nameTaken: false });
  await store.append(Streams.radiusClient(command.clientId), 0, clientEvents.map((e) => ({ ...toRecord(e), metadata })));
  const add = async (i: number, kind: 'hotp' | 'totp', prior: number) => {
    const username = nameOf(i);
    const userId = newId();
    const tokenId = newId();
    const events: DomainEvent[] = [
      makeEvent('UserCreated', { userId, username, displayName: username, contact: { email: null, phones: [] }, preferredMethod: 'totp', language: 'en' }),
      makeEvent('OathTokenAssigned', {
        userId, tokenId, kind, algorithm: 'SHA1', digits: 6, period: 30, counter: 0, label: 'bench',
        seed: keyring.seal(base32Encode(seedOf(username)), SealContext.oathSeed(userId, tokenId)),
      }),
    ];
    // Prior sign-ins: what the server appends for each accepted HOTP code.
    const at = new Date().toISOString();
    for (let c = 0; c < prior; c++) {
      events.push(makeEvent('OathCodeUsed', { userId, tokenId, counter: c }), makeEvent('AuthenticationSucceeded', { userId, at, source: 'radius:bench' }));
    }
    await store.append(Streams.user(userId), 0, events.map((e) => ({ ...toRecord(e), metadata })));
  };
  for (let i = 1; i <= USERS; i++) await add(HOTP.offset + i, 'hotp', 0);
  for (let i = 1; i <= USERS; i++) await add(TOTP.offset + i, 'totp', 0);
  for (let i = 1; i <= HISTORY_USERS; i++) await add(HISTORY.offset + i, 'hotp', HISTORY_SIGNINS);
  const projector = new ReadModelProjector(dataSource, { sealer: keyring });
  await projector.init();
  await projector.catchUp(store);
  await store.close();
  log(`  seeded ${2 * USERS + HISTORY_USERS} users (${HISTORY_USERS} with ${HISTORY_SIGNINS} prior sign-ins) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

interface LoadgenResult { accept_rps: number; accept: number; reject: number; timeouts: number; lat_ms: { p50: number; p99: number }; server_us_per_req: number | null; loadgen_cpu_pct: number }

function loadgen(port: number, serverPid: number, args: string[]): Promise<LoadgenResult> {
  return new Promise((res, rej) => {
    const child = spawn('taskset', ['-c', '1', process.execPath, LOADGEN, '--port', String(port), '--secret', SECRET, '--concurrency', String(CONCURRENCY),
      '--duration', String(DURATION), '--warmup', String(WARMUP), '--server-pid', String(serverPid), ...args], { stdio: ['ignore', 'pipe', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try { res(JSON.parse(line)); } catch { rej(new Error(`loadgen exited ${code} without a result`)); }
    });
  });
}

function report(name: string, r: LoadgenResult): LoadgenResult {
  log(`  ${name.padEnd(34)} ${String(r.accept_rps).padStart(7)} accepts/s  p50 ${r.lat_ms.p50.toFixed(2).padStart(7)} ms  p99 ${r.lat_ms.p99.toFixed(2).padStart(7)} ms  ` +
    `server ${String(r.server_us_per_req ?? '?').padStart(7)} µs/req  (accept ${r.accept} reject ${r.reject} timeout ${r.timeouts}, loadgen ${r.loadgen_cpu_pct}% CPU)`);
  return r;
}

async function waitReady(port: number, pid: number, child: ChildProcess, args: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const probe = await new Promise<boolean>((res) => {
      const p = spawn(process.execPath, [LOADGEN, '--port', String(port), '--secret', SECRET, '--concurrency', '1', '--duration', '1', '--warmup', '0', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      p.on('exit', () => { try { const r = JSON.parse(out.trim().split('\n').pop()!); res(r.accept + r.reject > 0); } catch { res(false); } });
    });
    if (probe) return;
    if (Date.now() > deadline) throw new Error(`server ${pid} did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((res) => child.once('exit', res));
  child.kill('SIGTERM');
  await exited;
}

async function benchTwofold(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-radius-'));
  const dataDir = join(dir, 'data');
  try {
    await seed(dataDir);
    const [httpPort, authPort, acctPort] = [await freePort(), await freePort(), await freePort()];
    const big = '10000000';
    // taskset execs node: the child's pid is the server's.
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn('taskset', ['-c', '0', process.execPath, ...nodeArgs, SERVER_MAIN], {
      env: {
        PATH: process.env.PATH ?? '', TWOFOLD_DATA_DIR: dataDir, TWOFOLD_LOG_LEVEL: 'warn', TWOFOLD_HTTP_BIND: '127.0.0.1', TWOFOLD_HTTP_PORT: String(httpPort),
        TWOFOLD_RADIUS_BIND: '127.0.0.1', TWOFOLD_RADIUS_AUTH_PORT: String(authPort), TWOFOLD_RADIUS_ACCT_PORT: String(acctPort),
        // The failure limits protect against guessing; a bench that is refused by them measures nothing.
        TWOFOLD_RADIUS_CLIENT_FAILURE_BURST: big, TWOFOLD_RADIUS_CLIENT_FAILURES_PER_MINUTE: big,
        TWOFOLD_RADIUS_GLOBAL_FAILURE_BURST: big, TWOFOLD_RADIUS_GLOBAL_FAILURES_PER_MINUTE: big,
      },
      stdio: ['ignore', 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'],
    });
    const pid = child.pid!;
    const states = join(dir, 'hotp-counters.json');
    const historyStates = join(dir, 'history-counters.json');
    writeFileSync(historyStates, JSON.stringify(Array.from({ length: HISTORY_USERS }, () => HISTORY_SIGNINS)));
    try {
      // The probe uses the last TOTP user (one code in its step, not measured later in this step).
      await waitReady(authPort, pid, child, ['--otp', 'totp', '--pw-mode', 'code', '--users', '1', '--user-offset', String(TOTP.offset + USERS - 1)]);
      const common = ['--pw-mode', 'code'];
      report(`Twofold HOTP (${USERS} users)`, await loadgen(authPort, pid, [...common, '--otp', 'hotp', '--otp-state', states, '--users', String(USERS), '--user-offset', String(HOTP.offset)]));
      report(`Twofold TOTP (${USERS} users)`, await loadgen(authPort, pid, [...common, '--otp', 'totp', '--users', String(USERS - 1), '--user-offset', String(TOTP.offset)]));
      report(`Twofold HOTP ${HISTORY_USERS} users, ${HISTORY_SIGNINS} prior`, await loadgen(authPort, pid, [...common, '--otp', 'hotp', '--otp-state', historyStates, '--users', String(HISTORY_USERS), '--user-offset', String(HISTORY.offset)]));
    } finally {
      await stop(child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchFreeRadius(): Promise<void> {
  if (!existsSync(FREERADIUS)) { log('  FreeRADIUS not installed, skipped'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-freeradius-'));
  try {
    const port = await freePort();
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, 'authorize'), Array.from({ length: USERS }, (_, i) => `${nameOf(i + 1)} Cleartext-Password := "pass${pad5(i + 1)}"`).join('\n') + '\n');
    writeFileSync(join(dir, 'radiusd.conf'), freeRadiusConf(dir, port));
    const check = spawnSync(FREERADIUS, ['-C', '-d', dir], { encoding: 'utf8' });
    if (check.status !== 0) {
      log(`  FreeRADIUS configuration check failed, skipped: ${(check.stdout + check.stderr).trim().split('\n').slice(-3).join(' | ')}`);
      return;
    }
    const child = spawn('taskset', ['-c', '0', FREERADIUS, '-f', '-d', dir], { stdio: ['ignore', 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'] });
    try {
      await waitReady(port, child.pid!, child, ['--users', '1']);
      report(`FreeRADIUS PAP (${USERS} users)`, await loadgen(port, child.pid!, ['--users', String(USERS)]));
    } finally {
      await stop(child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function freeRadiusConf(dir: string, port: number): string {
  return `
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
`;
}

async function main(): Promise<void> {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run npm run build first`);
  if (!existsSync(LOADGEN)) throw new Error(`${LOADGEN} is missing`);
  log(`RADIUS bench: server on core 0, loadgen on core 1, ${CONCURRENCY} in flight, ${DURATION} s (+${WARMUP} s warm-up), Message-Authenticator on, first factor none`);
  await benchTwofold();
  await benchFreeRadius();
}

main().catch((err) => {
  process.stderr.write(`bench-radius failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
