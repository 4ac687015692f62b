import { Sql } from './sql';

// Query tables kept by the projections. Booleans are INTEGER 0/1 and times ISO text on both
// databases, so rows compare equal across SQLite and PostgreSQL and across rebuilds.
export const READ_MODEL_TABLES = [
  'rm_users', 'rm_oath_tokens', 'rm_settings', 'rm_radius_clients', 'rm_sdk_credentials', 'rm_administrators',
  'rm_cluster', 'rm_cluster_nodes', 'rm_node_identities', 'rm_rollout_policies',
  'rm_devices', 'rm_device_activations', 'rm_push_requests',
] as const;

// A row that stands for one stream: the stream version it was last written at, and when.
const STREAM_ROW = 'version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL';

const DDL = [
  `CREATE TABLE IF NOT EXISTS rm_checkpoint (name VARCHAR(64) PRIMARY KEY, position BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS rm_users (
    user_id VARCHAR(64) PRIMARY KEY,
    username VARCHAR(64) NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    phones TEXT NOT NULL,
    preferred_method VARCHAR(16) NOT NULL,
    language VARCHAR(16) NOT NULL,
    enabled INTEGER NOT NULL,
    has_pin INTEGER NOT NULL,
    has_password INTEGER NOT NULL,
    locked_until TEXT,
    locked INTEGER NOT NULL,
    blocked INTEGER NOT NULL,
    blocked_until TEXT,
    state TEXT NOT NULL,
    ${STREAM_ROW}
  )`,
  // A token's counters live in its user's state (rm_users.state), which every sign-in rewrites
  // anyway: no second row per sign-in (see dropTokenCounters).
  `CREATE TABLE IF NOT EXISTS rm_oath_tokens (
    token_id VARCHAR(64) NOT NULL,
    user_id VARCHAR(64) NOT NULL,
    kind VARCHAR(8) NOT NULL,
    algorithm VARCHAR(8) NOT NULL,
    digits INTEGER NOT NULL,
    period INTEGER NOT NULL,
    seed TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, token_id)
  )`,
  `CREATE INDEX IF NOT EXISTS ix_rm_oath_tokens_user ON rm_oath_tokens (user_id)`,
  `CREATE TABLE IF NOT EXISTS rm_settings (id INTEGER PRIMARY KEY, document TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS rm_radius_clients (
    client_id VARCHAR(64) PRIMARY KEY,
    name VARCHAR(128) NOT NULL,
    address VARCHAR(64) NOT NULL,
    secret TEXT NOT NULL,
    first_factor VARCHAR(16) NOT NULL,
    require_message_authenticator INTEGER NOT NULL,
    ldap TEXT,
    upstream TEXT,
    ${STREAM_ROW}
  )`,
  `CREATE TABLE IF NOT EXISTS rm_sdk_credentials (
    credential_id VARCHAR(64) PRIMARY KEY,
    name VARCHAR(128) NOT NULL,
    scopes TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    certificate_fingerprint VARCHAR(64),
    revoked INTEGER NOT NULL,
    version INTEGER NOT NULL,
    issued_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS rm_administrators (
    admin_id VARCHAR(64) PRIMARY KEY,
    name VARCHAR(128) NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    added_at TEXT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS rm_cluster (id INTEGER PRIMARY KEY, epoch INTEGER NOT NULL, master_node_id VARCHAR(64), master_node_name VARCHAR(64), started_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS rm_cluster_nodes (node_id VARCHAR(64) PRIMARY KEY, node_name VARCHAR(64) NOT NULL, host TEXT NOT NULL, http_port INTEGER NOT NULL, replication_port INTEGER NOT NULL, joined_at TEXT NOT NULL)`,
  // A table of its own (not columns on rm_cluster_nodes) so an upgraded read model needs no ALTER.
  `CREATE TABLE IF NOT EXISTS rm_node_identities (node_id VARCHAR(64) PRIMARY KEY, node_name VARCHAR(64) NOT NULL, fingerprint VARCHAR(64), reason VARCHAR(16), recorded_at TEXT, removed_at TEXT)`,
  `CREATE INDEX IF NOT EXISTS ix_rm_node_identities_fingerprint ON rm_node_identities (fingerprint)`,
  `CREATE TABLE IF NOT EXISTS rm_rollout_policies (client_key VARCHAR(96) PRIMARY KEY, unenrolled VARCHAR(24) NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS rm_devices (device_id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL, name VARCHAR(64) NOT NULL, public_key TEXT NOT NULL, push_address TEXT, activated_at TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS ix_rm_devices_user ON rm_devices (user_id)`,
  `CREATE TABLE IF NOT EXISTS rm_device_activations (code_hash VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL, expires_at TEXT NOT NULL, used INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS rm_push_requests (approval_key VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL, approval_id TEXT NOT NULL, requested_at TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS ix_rm_push_requests_user ON rm_push_requests (user_id)`,
];

export async function ensureReadModelSchema(sql: Sql): Promise<void> {
  for (const statement of DDL) await sql.query(statement);
  await dropTokenCounters(sql);
}

// A read model written before the counters moved out of rm_oath_tokens (an upgraded node): its two
// counter columns go, the rows stay. Nothing reads them any more, and a rebuild's shadow tables
// (which never have them) must have the same columns as the live ones to be swapped in.
// Another process on the same database may drop them first: a failed drop of a column that is
// gone since is no failure.
async function dropTokenCounters(sql: Sql): Promise<void> {
  const columns = () => tableColumns(sql, 'rm_oath_tokens');
  for (const column of (await columns()).filter((c) => c === 'counter' || c === 'last_used_counter')) {
    try {
      await sql.query(`ALTER TABLE rm_oath_tokens DROP COLUMN ${column}`);
    } catch (err) {
      if ((await columns()).includes(column)) throw err;
    }
  }
}

// The names of a table's columns (none when there is no such table). `table` is one of ours,
// never input.
export async function tableColumns(sql: Sql, table: string): Promise<string[]> {
  const rows = await sql.query<{ name: string }>(
    sql.dialect === 'postgres'
      ? `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${table}'`
      : `SELECT name FROM pragma_table_info('${table}')`,
  );
  return rows.map((c) => c.name);
}

// A second set of the same tables (rmnext_*), for a rebuild that must not disturb the live ones:
// every statement the projections run is rewritten to them. Index names (ix_rm_…) are not matched
// (no word boundary before rm_), so the shadow tables go without the secondary index.
const SHADOW_PREFIX = 'rmnext_';
export function shadowSql(sql: Sql): Sql {
  return { dialect: sql.dialect, query: (text, params) => sql.query(text.replace(/\brm_/g, SHADOW_PREFIX), params) };
}

const ALL_TABLES = [...READ_MODEL_TABLES, 'rm_checkpoint'];

export async function createShadowTables(sql: Sql): Promise<void> {
  await dropShadowTables(sql);
  await ensureReadModelSchema(shadowSql(sql));
}

export async function dropShadowTables(sql: Sql): Promise<void> {
  for (const table of ALL_TABLES) await shadowSql(sql).query(`DROP TABLE IF EXISTS ${table}`);
}

// The statements that replace the live tables' rows with the shadow's (one transaction, by atomically).
export function swapInShadowStatements(): string[] {
  return ALL_TABLES.flatMap((table) => [`DELETE FROM ${table}`, `INSERT INTO ${table} SELECT * FROM ${table.replace(/^rm_/, SHADOW_PREFIX)}`]);
}
