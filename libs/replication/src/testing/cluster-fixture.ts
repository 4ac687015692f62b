import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, openStorage, TypeOrmEventStore, type NewEvent, type StoredEvent } from '@twofold/event-store';
import { createClusterCa, issueCertificate, type KeyAndCert } from '@twofold/platform';
import { ReplicationMaster, type ReplicationMasterOptions } from '../master/replication-master';
import { ReplicationSlave, type ReplicationSlaveEvents, type ReplicationSlaveOptions } from '../slave/replication-slave';
import type { UpstreamEvent } from '../storage/upstream-inbox';

export const CLUSTER_ID = 'cluster-test';

// Keys are slow to make: one CA and a handful of node certificates per test file.
export interface Pki {
  ca: KeyAndCert;
  master: KeyAndCert;
  node(name: string): KeyAndCert;
}

export function makePki(clusterId = CLUSTER_ID): Pki {
  const ca = createClusterCa(clusterId);
  const cache = new Map<string, KeyAndCert>();
  const node = (name: string): KeyAndCert => {
    let c = cache.get(name);
    if (!c) {
      c = issueCertificate(ca, name, { hosts: ['localhost', '127.0.0.1'] });
      cache.set(name, c);
    }
    return c;
  };
  return { ca, master: node('master'), node };
}

export function tlsFor(pki: Pki, cert: KeyAndCert) {
  return { key: cert.keyPem, cert: cert.certPem, ca: pki.ca.certPem };
}

const meta = { actor: 'admin:test', nodeId: 'master', epoch: 0 };
export const tick = (n: number): NewEvent => ({ type: 'Tick', schemaVersion: 1, payload: { n }, metadata: meta });

export async function appendTicks(store: TypeOrmEventStore, count: number, batch = 200): Promise<void> {
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    await store.append(`stream-${done % 7}`, -1, Array.from({ length: n }, (_, i) => tick(done + i)));
  }
}

// Until an empty page: a short one is not the end of the log (see EventStore.readFrom).
export async function readAll(store: TypeOrmEventStore): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (;;) {
    const page = await store.readFrom(out.length ? out[out.length - 1].position : 0, 5000);
    if (page.length === 0) return out;
    out.push(...page);
  }
}

export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Temp dirs and everything started, torn down in reverse.
export class Harness {
  private readonly dirs: string[] = [];
  private readonly cleanups: Array<() => Promise<void>> = [];
  readonly upstream: Array<{ nodeId: string; event: UpstreamEvent }> = [];

  constructor(readonly pki: Pki) {}

  async sqliteStore(): Promise<TypeOrmEventStore> {
    const dir = mkdtempSync(join(tmpdir(), 'twofold-repl-'));
    this.dirs.push(dir);
    const store = await createEventStore({ url: join(dir, 'log.sqlite') });
    this.cleanups.push(() => store.close());
    return store;
  }

  // A store on a DataSource the caller can also use (outbox, inbox).
  async storeAt(url: string): Promise<TypeOrmEventStore> {
    const ds = await openStorage({ url });
    const store = new TypeOrmEventStore(ds);
    this.cleanups.push(() => store.close());
    return store;
  }

  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'twofold-repl-'));
    this.dirs.push(dir);
    return dir;
  }

  // TLS options for a node of this cluster ('master' is the master's own certificate).
  tls(name: string) {
    return tlsFor(this.pki, this.pki.node(name));
  }

  async master(store: TypeOrmEventStore, options: Partial<ReplicationMasterOptions> = {}): Promise<ReplicationMaster> {
    const master = new ReplicationMaster({
      store,
      clusterId: CLUSTER_ID,
      nodeId: 'master',
      epoch: () => 0,
      tls: this.tls('master'),
      host: '127.0.0.1',
      port: 0,
      batchSize: 100,
      heartbeatMs: 200,
      onUpstream: async (nodeId, event) => {
        this.upstream.push({ nodeId, event });
      },
      ...options,
    });
    await master.start();
    this.cleanups.push(() => master.stop());
    return master;
  }

  slave(master: ReplicationMaster, store: TypeOrmEventStore, name: string, options: Partial<ReplicationSlaveOptions> = {}): ReplicationSlave {
    const slave = new ReplicationSlave({
      store,
      clusterId: CLUSTER_ID,
      nodeId: `id-${name}`,
      nodeName: name,
      epoch: () => 0,
      master: { host: '127.0.0.1', port: master.address().port },
      tls: this.tls(name),
      reconnect: { minMs: 20, maxMs: 200 },
      ...options,
    });
    this.cleanups.push(() => slave.stop());
    return slave;
  }

  onCleanup(fn: () => Promise<void>): void {
    this.cleanups.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.cleanups.reverse()) await fn().catch(() => undefined);
    this.cleanups.length = 0;
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

// One PKI per describe block, a fresh Harness per test (closed after it). The returned object
// stands for the current test's Harness: read it inside tests and hooks only.
export function harnessPerTest(): Harness {
  let pki: Pki;
  let current: Harness | undefined;
  beforeAll(() => {
    pki = makePki();
  });
  beforeEach(() => {
    current = new Harness(pki);
  });
  afterEach(() => current?.close());
  return new Proxy({} as Harness, {
    get(_target, prop) {
      if (!current) throw new Error('no harness outside a test (use it inside tests and hooks)');
      const value = Reflect.get(current, prop, current) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
}

export type Refusal = ReplicationSlaveEvents['refused'][0];

// Starts `slave`, waits for the master's first refusal and stops the slave again.
export async function firstRefusal(slave: ReplicationSlave): Promise<Refusal> {
  const refusals: Refusal[] = [];
  slave.on('refused', (r) => refusals.push(r));
  slave.start();
  await waitFor('refused', () => refusals.length > 0);
  await slave.stop();
  return refusals[0];
}
