// RADIUS load benchmark: `npm run bench:radius`. Measured the way a RADIUS peer is measured: the
// server pinned to core 0 (`taskset -c 0`), ../shared/bench/loadgen.mjs (not the bottleneck) on
// core 1, 64 requests in flight, Message-Authenticator on, first factor none (the code alone).
// Users user00001.. with OATH seeds SHA-1("seed:" + name) (loadgen's rule), written straight into
// the log (the same events the admin API writes, with the snapshot the server writes beside them):
// HOTP users, TOTP users, and history users (HOTP, each with BENCH_HISTORY_SIGNINS prior sign-ins
// already in its stream), and warm-up users that only give V8 time to compile the sign-in path
// (BENCH_JIT_WARMUP seconds, reported as a line of its own) before the measured lines start, so
// these measure the server as it runs for months, not its first seconds. FreeRADIUS PAP (files
// module) on the same generator when installed; local password (production argon2id) + HOTP on a
// server of its own; the SQLite log writer on the event loop vs in a worker thread, and the WAL
// sync inside the COMMIT vs off the event loop (log-sync-placement.ts), and a sign-in in the log
// and read model alone (sign-in-storage.ts: the server's figure less this is RADIUS and engine).
// Prints figures; asserts nothing.
//   BENCH_USERS (10000), BENCH_TOTP_USERS (BENCH_USERS), BENCH_HISTORY_USERS (200), BENCH_HISTORY_SIGNINS (1000), BENCH_JIT_WARMUP (10),
//   BENCH_PASSWORD_USERS (200), BENCH_CONCURRENCY (64), BENCH_DURATION (10), BENCH_WARMUP (2),
//   BENCH_PARTS (twofold,password,freeradius,writer: which parts run), BENCH_SERVER_NODE_ARGS
//   (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server)
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  AddRadiusClient, base32Encode, DomainEvent, decideAddRadiusClient, foldUser, INITIAL_RADIUS_CLIENT_STATE, makeEvent, newId, SealContext, Streams, toRecord, USER_SNAPSHOT,
} from '@twofold/domain';
import type { StoredEvent } from '@twofold/event-store';
import { ReadModelProjector } from '@twofold/read-model';
import { Argon2idHasher } from '@twofold/mfa';
import { freePort } from '../support/ports';
import { SERVER_NODE_OPTIONS } from '../support/server-process';
import { openBenchLog } from './bench-seed';
import { printSignInStorage } from './sign-in-storage';
import { runOnServerCore } from './server-core';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const HISTORY_USERS = Number(process.env.BENCH_HISTORY_USERS ?? 200);
const HISTORY_SIGNINS = Number(process.env.BENCH_HISTORY_SIGNINS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
// Measured on this machine: TurboFan goes on compiling the sign-in path for about the first 10 s
// of load and takes a fifth of the core meanwhile (`perf`, V8's worker threads).
const JIT_WARMUP = Number(process.env.BENCH_JIT_WARMUP ?? 10);
const WARMUP_USERS = 2000;
const PARTS = new Set((process.env.BENCH_PARTS ?? 'twofold,password,freeradius,writer').split(',').map((p) => p.trim()));
const SECRET = 'bench-radius-secret';
const SERVER_MAIN = resolve(__dirname, '../../apps/server/src/main.js');
const LOADGEN = resolve(__dirname, '../../../../shared/bench/loadgen.mjs');
const FREERADIUS = '/usr/sbin/freeradius';
// Ranges of loadgen users (user-offset, count).
const HOTP = { offset: 0, users: USERS };
// A TOTP code is accepted once per user and 30 s step, so TOTP users sign in once each: the line
// measures that burst (from the first answer to the last user's), not a 10 s window they run out of.
const TOTP_USERS = Number(process.env.BENCH_TOTP_USERS ?? USERS);
const TOTP = { offset: USERS, users: TOTP_USERS };
const HISTORY = { offset: USERS + TOTP_USERS, users: HISTORY_USERS };
const JIT = { offset: USERS + TOTP_USERS + HISTORY_USERS, users: JIT_WARMUP > 0 ? WARMUP_USERS : 0 };

const log = (line: string) => process.stdout.write(`${line}\n`);
const pad5 = (i: number) => String(i).padStart(i > 99999 ? 6 : 5, '0');
const nameOf = (i: number) => `user${pad5(i)}`;
const seedOf = (name: string) => createHash('sha1').update(`seed:${name}`).digest();

// Password users (local password + HOTP, production argon2id): a server of their own, whose
// RADIUS client checks the local password first.
const PASSWORD_USERS = Number(process.env.BENCH_PASSWORD_USERS ?? 200);

async function seed(dataDirPath: string, plan: { firstFactor: 'none' | 'local-password'; groups: Array<{ offset: number; users: number; kind: 'hotp' | 'totp'; prior: number; password?: boolean }> }): Promise<void> {
  const { dataSource, store, keyring, metadata } = await openBenchLog(dataDirPath);
  const started = Date.now();
  const command = AddRadiusClient.create({ name: 'bench', address: '127.0.0.1', secret: SECRET, firstFactor: plan.firstFactor });
  const hasher = new Argon2idHasher(); // the production parameters
  const clientEvents = decideAddRadiusClient(INITIAL_RADIUS_CLIENT_STATE, command, { sealer: keyring, nameTaken: false });
  await store.append(Streams.radiusClient(command.clientId), 0, clientEvents.map((e) => ({ ...toRecord(e), metadata })));
  const add = async (i: number, kind: 'hotp' | 'totp', prior: number, password: boolean) => {
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
    if (password) {
      const phc = await hasher.hash(`pass${pad5(i)}`);
      events.push(makeEvent('UserPasswordSet', { userId, passwordHash: keyring.seal(phc, SealContext.passwordHash(userId)) }));
    }
    // Prior sign-ins: what the server appends for each accepted HOTP code.
    const at = new Date().toISOString();
    for (let c = 0; c < prior; c++) {
      events.push(makeEvent('AuthenticationSucceeded', { userId, at, source: 'radius:bench', code: { tokenId, counter: c } }));
    }
    // With the snapshot a server writes with each append (a restarted server starts from it).
    const snapshot = (stored: StoredEvent[]) => ({ fold: USER_SNAPSHOT.fold, foldVersion: USER_SNAPSHOT.version, state: USER_SNAPSHOT.encode(foldUser(stored)) });
    await store.append(Streams.user(userId), 0, events.map((e) => ({ ...toRecord(e), metadata })), { snapshot });
  };
  let seeded = 0;
  for (const g of plan.groups) {
    for (let i = 1; i <= g.users; i++) await add(g.offset + i, g.kind, g.prior, g.password ?? false);
    seeded += g.users;
  }
  const projector = new ReadModelProjector(dataSource, { sealer: keyring });
  await projector.init();
  await projector.catchUp(store);
  await store.close();
  log(`  seeded ${seeded} users (${plan.groups.map((g) => `${g.users} ${g.kind}${g.prior ? ` with ${g.prior} prior sign-ins` : ''}${g.password ? ' + password' : ''}`).join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

interface LoadgenResult { accept_rps: number; accept: number; reject: number; timeouts: number; lat_ms: { p50: number; p99: number }; server_us_per_req: number | null; loadgen_cpu_pct: number }

function loadgen(port: number, serverPid: number, args: string[], timing = { duration: DURATION, warmup: WARMUP }): Promise<LoadgenResult> {
  return new Promise((res, rej) => {
    const child = spawn('taskset', ['-c', '1', process.execPath, LOADGEN, '--port', String(port), '--secret', SECRET, '--concurrency', String(CONCURRENCY),
      '--duration', String(timing.duration), '--warmup', String(timing.warmup), '--server-pid', String(serverPid), ...args], { stdio: ['ignore', 'pipe', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try { res(JSON.parse(line)); } catch { rej(new Error(`loadgen exited ${code} without a result`)); }
    });
  });
}

function report(name: string, r: LoadgenResult): LoadgenResult {
  const ms = (v: number | null | undefined) => (typeof v === 'number' ? v.toFixed(2) : '-').padStart(7);
  log(`  ${name.padEnd(34)} ${String(r.accept_rps).padStart(7)} accepts/s  p50 ${ms(r.lat_ms?.p50)} ms  p99 ${ms(r.lat_ms?.p99)} ms  ` +
    `server ${String(r.server_us_per_req ?? '?').padStart(7)} µs/req  (accept ${r.accept} reject ${r.reject} timeout ${r.timeouts}, loadgen ${r.loadgen_cpu_pct}% CPU)`);
  return r;
}

// Each TOTP user once (all but the probe's), no warm-up: accepts/s over the 250 ms intervals from
// the first answer to the last full one before the users ran out (loadgen's --timeline).
async function totpBurst(port: number, pid: number, args: string[], timeline: string): Promise<void> {
  const r = await loadgen(port, pid, [...args, '--timeline', timeline], { duration: DURATION, warmup: 0 });
  // An interval without answers is an empty line (loadgen maps over a sparse array): 0 accepts.
  const accepts = readFileSync(timeline, 'utf8').replace(/\n$/, '').split('\n').map((line) => Number(line.split(' ')[2] ?? 0) || 0);
  const first = accepts.findIndex((a) => a > 0);
  // Up to where the users ran out: a run that reaches the next 30 s step signs them in again
  // after a gap, which is not part of the burst.
  let last = first;
  while (last + 1 < accepts.length && accepts[last + 1] > 0) last++;
  const full = first < 0 ? [] : accepts.slice(first, last); // the last interval with answers is partial
  const burst = full.length > 0 ? Math.round(full.reduce((a, b) => a + b, 0) / (full.length * 0.25)) : 0;
  report(`Twofold TOTP (${TOTP_USERS - 1} users, once each)`, { ...r, accept_rps: burst });
  if (full.length < 8) log(`    (the users ran out within ${(full.length + 1) * 0.25} s: BENCH_TOTP_USERS=${10 * burst} or more gives a steadier figure)`);
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

async function startServer(dataDir: string): Promise<{ child: ChildProcess; pid: number; authPort: number }> {
  const [httpPort, authPort, acctPort] = [await freePort(), await freePort(), await freePort()];
  const big = '10000000';
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // taskset execs node: the child's pid is the server's.
  const child = spawn('taskset', ['-c', '0', process.execPath, ...SERVER_NODE_OPTIONS, ...nodeArgs, SERVER_MAIN], {
    env: {
      PATH: process.env.PATH ?? '', TWOFOLD_DATA_DIR: dataDir, TWOFOLD_LOG_LEVEL: 'warn', TWOFOLD_HTTP_BIND: '127.0.0.1', TWOFOLD_HTTP_PORT: String(httpPort),
      TWOFOLD_RADIUS_BIND: '127.0.0.1', TWOFOLD_RADIUS_AUTH_PORT: String(authPort), TWOFOLD_RADIUS_ACCT_PORT: String(acctPort),
      // The failure limits protect against guessing; a bench that is refused by them measures nothing.
      TWOFOLD_RADIUS_CLIENT_FAILURE_BURST: big, TWOFOLD_RADIUS_CLIENT_FAILURES_PER_MINUTE: big,
      TWOFOLD_RADIUS_GLOBAL_FAILURE_BURST: big, TWOFOLD_RADIUS_GLOBAL_FAILURES_PER_MINUTE: big,
    },
    stdio: ['ignore', 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'],
  });
  return { child, pid: child.pid!, authPort };
}

async function benchTwofold(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-radius-'));
  const dataDir = join(dir, 'data');
  try {
    await seed(dataDir, {
      firstFactor: 'none',
      groups: [{ ...HOTP, kind: 'hotp', prior: 0 }, { ...TOTP, kind: 'totp', prior: 0 }, { ...HISTORY, kind: 'hotp', prior: HISTORY_SIGNINS }, { ...JIT, kind: 'hotp', prior: 0 }],
    });
    const { child, pid, authPort } = await startServer(dataDir);
    const states = join(dir, 'hotp-counters.json');
    const historyStates = join(dir, 'history-counters.json');
    writeFileSync(historyStates, JSON.stringify(Array.from({ length: HISTORY_USERS }, () => HISTORY_SIGNINS)));
    try {
      // The probe uses the last TOTP user (one code in its step, not measured later in this step).
      await waitReady(authPort, pid, child, ['--otp', 'totp', '--pw-mode', 'code', '--users', '1', '--user-offset', String(TOTP.offset + TOTP_USERS - 1)]);
      const common = ['--pw-mode', 'code'];
      if (JIT.users > 0) {
        // Users of their own: the measured users below still meet the server for the first time.
        report(`HOTP, first ${JIT_WARMUP} s of load (JIT warm-up)`, await loadgen(authPort, pid, [...common, '--otp', 'hotp', '--otp-state', join(dir, 'jit-counters.json'),
          '--users', String(JIT.users), '--user-offset', String(JIT.offset)], { duration: JIT_WARMUP, warmup: 0 }));
      }
      const hotp = [...common, '--otp', 'hotp', '--otp-state', states, '--users', String(USERS), '--user-offset', String(HOTP.offset)];
      // No loadgen warm-up (the JIT's is done): the run starts with every user's first sign-in.
      report(`Twofold HOTP (${USERS} users)`, await loadgen(authPort, pid, hotp, { duration: DURATION, warmup: JIT.users > 0 ? 0 : WARMUP }));
      // The same users again: each has signed in since the server started (its state in memory).
      report(`  again (state kept in memory)`, await loadgen(authPort, pid, hotp));
      await totpBurst(authPort, pid, [...common, '--otp', 'totp', '--users', String(TOTP_USERS - 1), '--user-offset', String(TOTP.offset)], join(dir, 'totp-timeline.txt'));
      if (HISTORY_USERS > 0) {
        report(`Twofold HOTP ${HISTORY_USERS} users, ${HISTORY_SIGNINS} prior`, await loadgen(authPort, pid, [...common, '--otp', 'hotp', '--otp-state', historyStates, '--users', String(HISTORY_USERS), '--user-offset', String(HISTORY.offset)]));
        // The same history users again: now every one has signed in since the server started.
        report(`  again (state kept in memory)`, await loadgen(authPort, pid, [...common, '--otp', 'hotp', '--otp-state', historyStates, '--users', String(HISTORY_USERS), '--user-offset', String(HISTORY.offset)]));
      }
    } finally {
      await stop(child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Local password (argon2id, production parameters, on the libuv pool) + HOTP code in one
// Access-Request; the code is checked before the password.
async function benchPassword(): Promise<void> {
  if (PASSWORD_USERS <= 0) return;
  const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-password-'));
  const dataDir = join(dir, 'data');
  try {
    await seed(dataDir, { firstFactor: 'local-password', groups: [{ offset: 0, users: PASSWORD_USERS, kind: 'hotp', prior: 0, password: true }] });
    const { child, pid, authPort } = await startServer(dataDir);
    const states = join(dir, 'hotp-counters.json');
    try {
      // The probe signs in the last user, which the run then leaves out.
      await waitReady(authPort, pid, child, ['--otp', 'hotp', '--pw-mode', 'pass', '--users', '1', '--user-offset', String(PASSWORD_USERS - 1), '--otp-state', join(dir, 'probe.json')]);
      report(`Twofold password+HOTP (${PASSWORD_USERS - 1} users, 8 in flight)`, await loadgen(authPort, pid, ['--pw-mode', 'pass', '--otp', 'hotp', '--otp-state', states, '--users', String(PASSWORD_USERS - 1),
        // argon2id (19 MiB, 2 passes) costs tens of ms on the server's one core: fewer in flight.
        '--concurrency', '8', '--timeout-ms', '5000']));
    } finally {
      await stop(child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The SQLite writer on the event loop vs in a worker thread (see log-writer-thread.ts).
function benchWriterThread(): void {
  const r = runOnServerCore<Record<'main' | 'worker', { signInsPerSec: number; cpuUsPerSignIn: number; loopBusyUsPerSignIn: number; signInsPerGroup: number }>>(
    resolve(__dirname, 'log-writer-thread.js'), 'log writer thread comparison', log);
  if (!r) return;
  for (const mode of ['main', 'worker'] as const) {
    const f = r[mode];
    log(`  log writer on ${mode === 'main' ? 'the event loop ' : 'a worker thread'}  ${String(f.signInsPerSec).padStart(7)} sign-ins/s  ${f.cpuUsPerSignIn} µs CPU and ${f.loopBusyUsPerSignIn} µs event loop per sign-in, ${f.signInsPerGroup} per group commit`);
  }
}

// The WAL sync inside SQLite's COMMIT (on the event loop) vs after it, off the loop (see log-sync-placement.ts).
function benchSyncPlacement(): void {
  const r = runOnServerCore<Record<'onLoop' | 'offLoop', { signInsPerSec: number; cpuUsPerSignIn: number; loopIdlePercent: number }>>(
    resolve(__dirname, 'log-sync-placement.js'), 'WAL sync placement comparison', log);
  if (!r) return;
  for (const mode of ['onLoop', 'offLoop'] as const) {
    const f = r[mode];
    log(`  log + 60 µs sign-in, WAL sync ${mode === 'onLoop' ? 'in the COMMIT (event loop)' : 'after it, off the loop  '}  ${String(f.signInsPerSec).padStart(7)} sign-ins/s  ${f.cpuUsPerSignIn} µs CPU per sign-in, event loop idle ${f.loopIdlePercent} %`);
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
  if (PARTS.has('twofold')) await benchTwofold();
  if (PARTS.has('password')) await benchPassword();
  if (PARTS.has('freeradius')) await benchFreeRadius();
  if (PARTS.has('writer')) {
    benchWriterThread();
    benchSyncPlacement();
    printSignInStorage(log);
  }
}

main().catch((err) => {
  process.stderr.write(`bench-radius failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
