import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

import { existsSync } from 'node:fs';

// PostgreSQL for tests: a fresh database per test on the server named by
// TWOFOLD_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres), dropped after the run.
// Without the variable, where a Docker engine is reachable, testcontainers starts a PostgreSQL
// for the test file; where neither exists the PostgreSQL tests are skipped, loudly.
export const PG_URL_ENV = 'TWOFOLD_TEST_PG_URL';
// Set by jest's globalSetup (test/support/postgres-run.js): this run's database name prefix.
const RUN_ENV = 'TWOFOLD_TEST_PG_RUN';

// A Docker engine answers at the default socket or at DOCKER_HOST.
export function dockerAvailable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

let container: Promise<{ url: string; stop(): Promise<unknown> }> | undefined;

// One PostgreSQL container per test process, started on first use (testcontainers).
export function containerPostgresUrl(): Promise<string> {
  container ??= (async () => {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const started = await new PostgreSqlContainer('postgres:16-alpine').start();
    return { url: started.getConnectionUri(), stop: () => started.stop() };
  })();
  return container.then((c) => c.url);
}

export async function stopContainerPostgres(): Promise<void> {
  if (container) await (await container).stop();
  container = undefined;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function postgresTestUrl(): string | undefined {
  const url = process.env[PG_URL_ENV]?.trim();
  return url ? url : undefined;
}

let warned = false;
export function warnPostgresSkipped(): void {
  if (warned) return;
  warned = true;
  console.warn(`PostgreSQL tests SKIPPED: set ${PG_URL_ENV}=postgres://user@host:5432/postgres (or make a Docker engine reachable for testcontainers) to run them`);
}

// Creates twofold_test_<random> on the server of `baseUrl` and returns its URL.
export async function createTestDatabase(baseUrl = postgresTestUrl()): Promise<TestDatabase> {
  if (!baseUrl) throw new Error(`${PG_URL_ENV} is not set`);
  // Under jest the run's databases are dropped together after the run (test/support/postgres-run.js
  // says why); elsewhere (benches) drop() drops at once.
  const run = process.env[RUN_ENV];
  const name = run ? `twofold_test_${run}_${randomBytes(6).toString('hex')}` : `twofold_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(baseUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: run ? async () => undefined : () => withAdmin(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

// True when a PostgreSQL server answers at `url` (for benches that try a default server).
export async function postgresReachable(url: string, timeoutMs = 2000): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function withAdmin<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
