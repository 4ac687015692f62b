// SDK load benchmark: `npm run bench:sdk`. Seeds 10,000 users with a TOTP token (and one SDK
// credential per worker) into a temp data directory, starts the real server (dist/), and runs one
// TOTP authentication per user over HTTPS: start (challenge) then answer (accepted), each code used
// once. Prints authentications per second and latency percentiles; asserts nothing.
//   BENCH_USERS (10000), BENCH_CONCURRENCY (32), BENCH_WARMUP (300), BENCH_CPU_PROF (a directory)
// Each worker has its own credential (keep-alive connection, bearer secret) so that the
// per-credential rate limit (200/s by default) is not what is measured.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  decideIssueSdkCredential, INITIAL_SDK_CREDENTIAL_STATE, IssueSdkCredential, makeEvent, newId, SealContext, Streams, toRecord,
} from '@twofold/domain';
import { base32Encode } from '@twofold/domain';
import { generateTotp, hashSdkSecret } from '@twofold/mfa';
import { ReadModelProjector } from '@twofold/read-model';
import { TwofoldSdkClient } from '@twofold/sdk-client';
import { freePort } from '../support/ports';
import { SERVER_NODE_OPTIONS } from '../support/server-process';
import { openBenchLog } from './bench-seed';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const SERVER_MAIN = resolve(__dirname, '../../apps/server/src/main.js');

const log = (line: string) => process.stdout.write(`${line}\n`);

interface BenchUser { username: string; seed: Buffer }

// Users and credentials straight into the log (the same events the admin API writes).
async function seed(dataDirPath: string, users: BenchUser[], credentials: number): Promise<string[]> {
  const { dataSource, store, keyring, metadata } = await openBenchLog(dataDirPath);
  const started = Date.now();
  const tokens: string[] = [];
  for (let i = 0; i < credentials; i++) {
    const command = IssueSdkCredential.create({ name: `bench-${i}`, scopes: ['authenticate'] });
    const secret = command.secret.reveal();
    const events = decideIssueSdkCredential(INITIAL_SDK_CREDENTIAL_STATE, command, { secretHash: hashSdkSecret(secret), nameTaken: false });
    await store.append(Streams.sdkCredential(command.credentialId), 0, events.map((e) => ({ ...toRecord(e), metadata })));
    tokens.push(`${command.credentialId}.${secret}`);
  }
  for (const user of users) {
    const userId = newId();
    const tokenId = newId();
    const events = [
      makeEvent('UserCreated', { userId, username: user.username, displayName: user.username, contact: { email: null, phones: [] }, preferredMethod: 'totp', language: 'en' }),
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
  log(`  seeded ${users.length} users and ${credentials} SDK credentials in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tokens;
}

interface LoadResult { accepted: number; rejected: number; errors: number; seconds: number; auth: number[]; start: number[]; answer: number[] }

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function load(clients: TwofoldSdkClient[], users: BenchUser[]): Promise<LoadResult> {
  const r: LoadResult = { accepted: 0, rejected: 0, errors: 0, seconds: 0, auth: [], start: [], answer: [] };
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(clients.map(async (client) => {
    for (;;) {
      const user = users[next++];
      if (!user) return;
      try {
        const t0 = process.hrtime.bigint();
        const challenge = await client.startAuthentication({ username: user.username });
        r.start.push(ms(t0));
        if (challenge.status !== 'challenge') { r.rejected++; continue; }
        const t1 = process.hrtime.bigint();
        const answer = await client.answerChallenge({ challenge: challenge.challenge, code: generateTotp(user.seed, Date.now()) });
        r.answer.push(ms(t1));
        r.auth.push(ms(t0));
        if (answer.status === 'accepted') r.accepted++;
        else r.rejected++;
      } catch (error) {
        r.errors++;
        if (r.errors <= 3) log(`  error: ${(error as Error).message}`);
      }
    }
  }));
  r.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return r;
}

function percentile(values: number[], p: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(2) : 'n/a';
}

function report(name: string, r: LoadResult): void {
  log(`  ${name.padEnd(10)} ${String(r.accepted).padStart(6)} accepted  ${(r.accepted / r.seconds).toFixed(0).padStart(5)} auth/s  ` +
    `start+answer p50 ${percentile(r.auth, 50)} ms p99 ${percentile(r.auth, 99)} ms  ` +
    `(start p50 ${percentile(r.start, 50)} p99 ${percentile(r.start, 99)}; answer p50 ${percentile(r.answer, 50)} p99 ${percentile(r.answer, 99)})  ` +
    `rejected ${r.rejected} errors ${r.errors}  ${r.seconds.toFixed(1)} s`);
}

async function waitUntilReady(client: TwofoldSdkClient, child: ChildProcess, username: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const res = await client.raw('POST', '/sdk/v1/authentications', { body: { username } }).catch(() => undefined);
    if (res && res.status === 200) return;
    if (Date.now() > deadline) throw new Error('server did not answer within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run npm run build first`);
  const make = (prefix: string, n: number): BenchUser[] => Array.from({ length: n }, (_, i) => ({ username: `${prefix}${String(i).padStart(5, '0')}`, seed: randomBytes(20) }));
  const users = make('bench', USERS);
  const warm = make('warm', WARMUP + 1);
  log(`SDK benchmark: ${USERS} users, one TOTP authentication each (start + answer over HTTPS), ${CONCURRENCY} workers`);
  const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-sdk-'));
  const dataDir = join(dir, 'data');
  try {
    const tokens = await seed(dataDir, [...warm, ...users], CONCURRENCY);
    const [httpPort, authPort, acctPort] = [await freePort(), await freePort(), await freePort()];
    // BENCH_CPU_PROF=<dir>: write a CPU profile of the server there.
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', resolve(process.env.BENCH_CPU_PROF)] : [];
    const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, ...prof, SERVER_MAIN], {
      env: {
        PATH: process.env.PATH ?? '', TWOFOLD_DATA_DIR: dataDir, TWOFOLD_LOG_LEVEL: 'warn', TWOFOLD_HTTP_BIND: '127.0.0.1', TWOFOLD_HTTP_PORT: String(httpPort),
        TWOFOLD_RADIUS_BIND: '127.0.0.1', TWOFOLD_RADIUS_AUTH_PORT: String(authPort), TWOFOLD_RADIUS_ACCT_PORT: String(acctPort),
      },
      stdio: ['ignore', 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'],
    });
    const ca = readFileSync(join(dataDir, 'tls/ca.pem'), 'utf8');
    const clients = tokens.map((token) => new TwofoldSdkClient({ baseUrl: `https://127.0.0.1:${httpPort}`, ca, token, maxSockets: 1 }));
    try {
      await waitUntilReady(clients[0], child, warm[0].username);
      report('warm-up', await load(clients, warm.slice(1)));
      report('measured', await load(clients, users));
    } finally {
      for (const c of clients) c.close();
      if (child.exitCode === null) {
        const exited = new Promise((res) => child.once('exit', res));
        child.kill('SIGTERM');
        await exited;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench-sdk failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
