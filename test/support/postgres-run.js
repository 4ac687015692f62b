// Jest globalSetup / globalTeardown for the PostgreSQL test databases.
//
// Every DROP DATABASE makes PostgreSQL run an immediate checkpoint and wait for it. With the
// suite's other specs fsyncing on the same disk, one such checkpoint was seen taking 185 s, so
// dropping each spec file's databases in its afterAll hook timed that hook out (and made the
// whole run slower: ~900 checkpoints). Instead, the databases of one run share a name prefix
// (twofold_test_<run>_...), stay until the run ends, and are dropped here at once, when the disk
// is quiet and concurrent drops share checkpoints. A run that is killed leaves its databases
// behind; the next run drops those of runs older than a day.
const { randomBytes } = require('node:crypto');

const RUN_ENV = 'TWOFOLD_TEST_PG_RUN';
const DAY_MS = 24 * 3600 * 1000;

async function withClient(fn) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: process.env.TWOFOLD_TEST_PG_URL.trim() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// Names: twofold_test_<run id = base36 start time + random>_<random>. Drops go 8 at a time, each
// on its own connection, so they share checkpoints.
async function dropWhere(drop) {
  if (!process.env.TWOFOLD_TEST_PG_URL?.trim()) return;
  const { rows } = await withClient((c) => c.query("SELECT datname FROM pg_database WHERE datname LIKE 'twofold\\_test\\_%'"));
  const names = rows.map((r) => r.datname).filter(drop);
  let next = 0;
  const worker = () => withClient(async (c) => {
    while (next < names.length) await c.query(`DROP DATABASE IF EXISTS "${names[next++]}" WITH (FORCE)`);
  });
  await Promise.all(Array.from({ length: Math.min(8, names.length) }, worker));
}

function startedAt(name) {
  const m = /^twofold_test_([0-9a-z]+)r[0-9a-f]+_/.exec(name);
  return m ? parseInt(m[1], 36) : NaN;
}

module.exports.setup = async function setup() {
  process.env[RUN_ENV] = `${Date.now().toString(36)}r${randomBytes(3).toString('hex')}`;
  await dropWhere((n) => Date.now() - startedAt(n) > DAY_MS);
};

module.exports.teardown = async function teardown() {
  const run = process.env[RUN_ENV];
  if (!run) return;
  await dropWhere((n) => n.startsWith(`twofold_test_${run}_`));
};
