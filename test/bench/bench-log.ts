// Log benchmark: append and replay throughput on SQLite (temp file) and PostgreSQL (fresh
// database on TWOFOLD_TEST_PG_URL, or the default local server when it answers).
// `npm run bench:log`. Prints figures; asserts nothing. runLogBench takes an optional replay
// function so read-model projections can be timed over the same log.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, type NewEvent, type TypeOrmEventStore } from '@twofold/event-store';
import { ReadModelProjector } from '@twofold/read-model';
import { createTestDatabase, postgresReachable, postgresTestUrl } from '../support/postgres';

export interface LogBenchOptions {
  singleAppends?: number; // appends of one event each (default 3,000)
  batchedEvents?: number; // events appended in batches (default 100,000)
  batchSize?: number; // events per batched append (default 100)
  readPage?: number; // readFrom page size for the replay (default 1,000)
  backends?: Array<'sqlite' | 'postgres'>;
  pgUrl?: string | null; // server to create the bench database on; null skips PostgreSQL
  log?: (line: string) => void;
}

export type ReplayFn = (store: TypeOrmEventStore, backend: 'sqlite' | 'postgres') => Promise<void>;

export interface LogBenchFigure {
  backend: 'sqlite' | 'postgres';
  name: string;
  count: number;
  seconds: number;
  perSecond: number;
}

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const meta = { actor: 'admin:bench', nodeId: 'bench-node', epoch: 0, correlationId: 'c0ffee' };

// Real catalogue events, so the projections do the work they do in production.
function event(i: number, streamVersion: number, userId: string): NewEvent {
  const sealed = { alg: 'A256GCM', keyId: 'k1', iv: 'AAECAwQFBgcICQoL', tag: 'qrvM3e7/ABEiM0RVZneImQ==', ct: `c2VhbGVk${i}` };
  const at = new Date(1_700_000_000_000 + i * 1000).toISOString();
  const kinds: Array<[string, Record<string, unknown>]> = [
    ['UserUpdated', { userId, changes: { displayName: `User ${i}`, phones: [{ label: 'mobile', number: `+49151${String(i).padStart(8, '0')}` }] } }],
    ['AuthenticationFailed', { userId, at, reason: 'bad code', source: 'radius:bench' }],
    ['AuthenticationSucceeded', { userId, at, source: 'radius:bench' }],
    ['UserPinSet', { userId, pinHash: `$argon2id$v=19$m=19456,t=2,p=1$bench${i}` }],
    ['OathTokenAssigned', { userId, tokenId: `t-${userId}-${i}`, kind: 'totp', algorithm: 'SHA1', digits: 6, period: 30, counter: 0, seed: sealed, label: '' }],
  ];
  const [type, payload] = streamVersion === 0
    ? ['UserCreated', { userId, username: `bench${userId}`, displayName: `Bench ${i}`, email: null, phones: [], preferredMethod: 'totp', language: 'en' }]
    : kinds[i % kinds.length];
  return { type, schemaVersion: 1, payload, metadata: meta };
}

export async function runLogBench(opts: LogBenchOptions = {}, replayFn?: ReplayFn): Promise<LogBenchFigure[]> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const backends = opts.backends ?? ['sqlite', 'postgres'];
  const figures: LogBenchFigure[] = [];
  for (const backend of backends) {
    let url: string;
    let cleanup: () => Promise<void>;
    if (backend === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-'));
      url = join(dir, 'log.sqlite');
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    } else {
      const server = opts.pgUrl === undefined ? (postgresTestUrl() ?? DEFAULT_PG_URL) : opts.pgUrl;
      if (!server || !(await postgresReachable(server))) {
        log(`postgres: skipped (no server at ${server ? redactUrl(server) : '(none)'}; set TWOFOLD_TEST_PG_URL)`);
        continue;
      }
      const db = await createTestDatabase(server);
      url = db.url;
      cleanup = db.drop;
    }
    const store = await createEventStore({ url });
    const record = (name: string, count: number, seconds: number): void => {
      const f = { backend, name, count, seconds, perSecond: count / seconds };
      figures.push(f);
      log(`${backend.padEnd(8)} ${name.padEnd(36)} ${String(count).padStart(7)} in ${seconds.toFixed(2).padStart(6)} s = ${Math.round(f.perSecond).toLocaleString('en-US').padStart(9)}/s`);
    };
    try {
      await benchBody(store, opts, backend, record, replayFn);
    } finally {
      await store.close();
      await cleanup();
    }
  }
  return figures;
}

async function benchBody(
  store: TypeOrmEventStore,
  opts: LogBenchOptions,
  backend: 'sqlite' | 'postgres',
  record: (name: string, count: number, seconds: number) => void,
  replayFn?: ReplayFn,
): Promise<void> {
  const singles = opts.singleAppends ?? 3000;
  const batched = opts.batchedEvents ?? 100_000;
  const batchSize = opts.batchSize ?? 100;
  const page = opts.readPage ?? 1000;

  const versions = new Map<string, number>();
  let t = now();
  for (let i = 0; i < singles; i++) {
    const stream = `user-${i % 500}`;
    const v = versions.get(stream) ?? 0;
    await store.append(stream, v, [event(i, v, stream.slice(5))]);
    versions.set(stream, v + 1);
  }
  record('appends/s (1 event per append)', singles, now() - t);

  t = now();
  for (let done = 0; done < batched; done += batchSize) {
    const n = Math.min(batchSize, batched - done);
    const userId = `b${done / batchSize}`;
    await store.append(`user-${userId}`, 0, Array.from({ length: n }, (_, k) => event(done + k, k, userId)));
  }
  const batchSeconds = now() - t;
  record(`events/s (batches of ${batchSize})`, batched, batchSeconds);
  record(`appends/s (batches of ${batchSize})`, Math.ceil(batched / batchSize), batchSeconds);

  const total = singles + batched;
  t = now();
  let read = 0;
  for (let after = 0; ; ) {
    const events = await store.readFrom(after, page);
    if (events.length === 0) break;
    read += events.length;
    after = events[events.length - 1].position;
  }
  if (read !== total) throw new Error(`replay read ${read} events, expected ${total}`);
  record(`replay events/s (readFrom ${page})`, read, now() - t);

  t = now();
  const result = await store.verify();
  if (!result.ok) throw new Error(`verify failed at ${result.firstBroken.position}: ${result.firstBroken.reason}`);
  record('verify events/s', result.checked, now() - t);

  if (replayFn) {
    t = now();
    await replayFn(store, backend);
    record('replay (rebuild of all read models) events/s', total, now() - t);
  }
}

function now(): number {
  return performance.now() / 1000;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}

// Rebuild of every read model table from position 0, in the log's own database.
const rebuildReadModel: ReplayFn = async (store) => {
  const projector = new ReadModelProjector(store.dataSource);
  await projector.init();
  await projector.rebuild(store);
};

if (require.main === module) {
  const started = now();
  runLogBench({}, rebuildReadModel)
    .then(() => console.log(`total ${(now() - started).toFixed(1)} s`))
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}
