import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

// PostgreSQL for tests: a fresh database per test file on the server named by
// TWOFOLD_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards.
// Without the variable the PostgreSQL tests are skipped, loudly.
// (A Docker/testcontainers fallback would start a server here when the variable is unset;
// no container runtime is available on the build machines, so there is none.)
export const PG_URL_ENV = 'TWOFOLD_TEST_PG_URL';

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
  console.warn(`PostgreSQL tests SKIPPED: set ${PG_URL_ENV}=postgres://user@host:5432/postgres to run them`);
}

// Creates twofold_test_<random> on the server of `baseUrl` and returns its URL.
export async function createTestDatabase(baseUrl = postgresTestUrl()): Promise<TestDatabase> {
  if (!baseUrl) throw new Error(`${PG_URL_ENV} is not set`);
  const name = `twofold_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(baseUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withAdmin(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
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
