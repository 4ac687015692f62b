import type { DataSource } from 'typeorm';
import { activeBypass, UnenrolledPolicy } from '@twofold/domain';
import { UserProfile, DEFAULT_SETTINGS, FirstFactorMode, OathAlgorithm, OathKind, OathTokenState, PhoneNumber, AuthMethod, SdkScope, SealedSecret, Settings, UserState, normalizeUsername } from '@twofold/domain';
import { dialectOf, Sql, sqlOver } from '../storage/sql';
import { deepFreeze, userStateRowsOf, type UserStateRows } from './user-state-rows';

// The user's profile (username, display name, contact, method, language) and what the log says of them.
export interface UserView extends UserProfile {
  userId: string;
  enabled: boolean;
  hasPin: boolean;
  hasPassword: boolean;
  locked: boolean;
  lockedUntil: string | null;
  blocked: boolean;
  blockedUntil: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  // Staged rollout: the latest bypass granted (active: lets the user in now), and whether the user
  // can answer a second factor by the preferred method yet.
  bypass: (BypassView & { active: boolean }) | null;
}

export interface BypassView { until: string; once: boolean; reason: string; grantedBy: string; at: string; uses: number; revokedAt: string | null; revokedBy: string | null }

export interface OathTokenView {
  tokenId: string;
  userId: string;
  kind: OathKind;
  algorithm: OathAlgorithm;
  digits: number;
  period: number;
  counter: number;
  lastUsedCounter: number;
  seed: SealedSecret;
  label: string;
  createdAt: string;
}

export interface RadiusClientView {
  clientId: string;
  name: string;
  address: string;
  secret: SealedSecret;
  firstFactor: FirstFactorMode;
  requireMessageAuthenticator: boolean;
  ldap: Record<string, unknown> | null;
  upstream: Record<string, unknown> | null;
  unenrolled?: UnenrolledPolicy; // staged rollout; absent (or 'reject'): refuse users without a second factor
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface SdkCredentialView {
  credentialId: string;
  name: string;
  scopes: SdkScope[];
  secretHash: string;
  certificateFingerprint: string | null;
  revoked: boolean;
  version: number;
  issuedAt: string;
}

export interface AdministratorView { adminId: string; name: string; passwordHash: string; addedAt: string }

export interface ClusterNodeView { nodeId: string; nodeName: string; host: string; httpPort: number; replicationPort: number; joinedAt: string }
// fingerprint null: none recorded yet (a node listed by an earlier release) or removed.
export interface NodeIdentityView { nodeId: string; nodeName: string; fingerprint: string | null; reason: string | null; recordedAt: string | null; removed: boolean; removedAt: string | null }

export interface Page<T> { items: T[]; total: number; offset: number; limit: number }

type Row = Record<string, unknown>;
const bool = (v: unknown) => v === 1 || v === true || v === '1';
const parse = <T>(v: unknown): T => (v === null || v === undefined ? (null as T) : (JSON.parse(String(v)) as T));

// Lockouts and fraud blocks lapse by time: a row says until when, the view says whether now.
const active = (flag: unknown, until: unknown) => bool(flag) && (until === null || until === undefined || String(until) > new Date().toISOString());

function toUser(r: Row): UserView {
  return {
    userId: String(r.user_id), username: String(r.username), displayName: String(r.display_name),
    email: (r.email as string | null) ?? null, phones: parse<PhoneNumber[]>(r.phones) ?? [],
    preferredMethod: r.preferred_method as AuthMethod, language: String(r.language), enabled: bool(r.enabled),
    hasPin: bool(r.has_pin), hasPassword: bool(r.has_password), locked: active(r.locked, r.locked_until),
    lockedUntil: (r.locked_until as string | null) ?? null, blocked: active(r.blocked, r.blocked_until),
    blockedUntil: (r.blocked_until as string | null) ?? null, version: Number(r.version),
    createdAt: String(r.created_at), updatedAt: String(r.updated_at), bypass: bypassOf(r.state),
  };
}

function bypassOf(stateJson: unknown): UserView['bypass'] {
  const b = parse<UserState>(stateJson)?.bypass;
  if (!b) return null;
  return { until: b.until, once: b.once, reason: b.reason, grantedBy: b.grantedBy, at: b.at, uses: b.uses, revokedAt: b.revokedAt ?? null, revokedBy: b.revokedBy ?? null, active: activeBypass({ bypass: b }, new Date()) !== null };
}

// Users who could not answer a second factor by their preferred method (the engine's no_second_factor).
const NOT_ENROLLED = `((preferred_method = 'totp' AND NOT EXISTS (SELECT 1 FROM rm_oath_tokens t WHERE t.user_id = rm_users.user_id))
  OR (preferred_method IN ('sms', 'voice') AND phones = '[]'))`;

const RADIUS_CLIENTS = `SELECT c.*, p.unenrolled AS unenrolled FROM rm_radius_clients c LEFT JOIN rm_rollout_policies p ON p.client_key = 'radius:' || c.client_id`;

function toToken(r: Row, state: Pick<OathTokenState, 'counter' | 'lastUsedCounter'> | undefined): OathTokenView {
  return {
    tokenId: String(r.token_id), userId: String(r.user_id), kind: r.kind as OathKind, algorithm: r.algorithm as OathAlgorithm,
    digits: Number(r.digits), period: Number(r.period), counter: state?.counter ?? 0, lastUsedCounter: state?.lastUsedCounter ?? -1,
    seed: parse<SealedSecret>(r.seed), label: String(r.label), createdAt: String(r.created_at),
  };
}

function toRadiusClient(r: Row): RadiusClientView {
  return {
    clientId: String(r.client_id), name: String(r.name), address: String(r.address), secret: parse<SealedSecret>(r.secret),
    firstFactor: r.first_factor as FirstFactorMode, requireMessageAuthenticator: bool(r.require_message_authenticator),
    ldap: parse(r.ldap), upstream: parse(r.upstream), unenrolled: (r.unenrolled as UnenrolledPolicy | null) ?? 'reject', version: Number(r.version), createdAt: String(r.created_at), updatedAt: String(r.updated_at),
  };
}

function toSdkCredential(r: Row): SdkCredentialView {
  return {
    credentialId: String(r.credential_id), name: String(r.name), scopes: parse<SdkScope[]>(r.scopes), secretHash: String(r.secret_hash),
    certificateFingerprint: (r.certificate_fingerprint as string | null) ?? null, revoked: bool(r.revoked), version: Number(r.version), issuedAt: String(r.issued_at),
  };
}

// Every query a node answers, from its own tables: RADIUS, the SDK and the admin API read here.
export class ReadModelQueries {
  private readonly sql: Sql;
  private settingsSeen: { document: string | null; updatedAt: string | null; generation: number; value: Readonly<Settings & { version: number }> } | null = null;
  private readonly states: UserStateRows;

  constructor(dataSource: DataSource) {
    this.sql = sqlOver(dataSource, dialectOf(dataSource));
    this.states = userStateRowsOf(dataSource);
  }

  async getUser(userId: string): Promise<UserView | null> {
    const rows = await this.sql.query(`SELECT * FROM rm_users WHERE user_id = ?`, [userId]);
    return rows.length ? toUser(rows[0]) : null;
  }

  async findUserByUsername(username: string): Promise<UserView | null> {
    const rows = await this.sql.query(`SELECT * FROM rm_users WHERE username = ?`, [normalizeUsername(username)]);
    return rows.length ? toUser(rows[0]) : null;
  }

  // The sign-in path's lookup: the id alone, without decoding the row (its state and contact).
  async findUserIdByUsername(username: string): Promise<{ userId: string } | null> {
    const rows = await this.sql.query<{ user_id: string }>(`SELECT user_id FROM rm_users WHERE username = ?`, [normalizeUsername(username)]);
    return rows.length ? { userId: String(rows[0].user_id) } : null;
  }

  // The folded domain state, for policies (lockout, PIN check) evaluated on any node.
  async getUserState(userId: string): Promise<UserState | null> {
    const rows = await this.sql.query<{ state: string }>(`SELECT state FROM rm_users WHERE user_id = ?`, [userId]);
    return rows.length ? (JSON.parse(rows[0].state) as UserState) : null;
  }

  async listUsers(opts: { offset?: number; limit?: number; filter?: string; notEnrolled?: boolean } = {}): Promise<Page<UserView>> {
    const offset = Math.max(0, opts.offset ?? 0);
    const limit = Math.min(500, Math.max(1, opts.limit ?? 50));
    const conditions = [...(opts.filter ? ['(LOWER(username) LIKE ? OR LOWER(display_name) LIKE ?)'] : []), ...(opts.notEnrolled ? [NOT_ENROLLED] : [])];
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const like = opts.filter ? [`%${opts.filter.toLowerCase().replace(/[%_]/g, '')}%`] : [];
    const params = opts.filter ? [like[0], like[0]] : [];
    const total = await this.sql.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM rm_users ${where}`, params);
    const rows = await this.sql.query(`SELECT * FROM rm_users ${where} ORDER BY username LIMIT ? OFFSET ?`, [...params, limit, offset]);
    return { items: rows.map(toUser), total: Number(total[0].n), offset, limit };
  }

  async countUsers(): Promise<number> {
    const rows = await this.sql.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM rm_users`);
    return Number(rows[0].n);
  }

  // The rows name the tokens; their counters come from the user's state, which each sign-in moves.
  async getTokens(userId: string): Promise<OathTokenView[]> {
    const rows = await this.sql.query(`SELECT * FROM rm_oath_tokens WHERE user_id = ? ORDER BY created_at, token_id`, [userId]);
    if (!rows.length) return [];
    const tokens = new Map((await this.getUserState(userId))?.tokens.map((t) => [t.tokenId, t]));
    return rows.map((r) => toToken(r, tokens.get(String(r.token_id))));
  }

  async getSettings(): Promise<Settings & { version: number }> {
    const rows = await this.sql.query<{ document: string; version: number | string }>(`SELECT document, version FROM rm_settings WHERE id = 1`);
    if (!rows.length) return { ...structuredClone(DEFAULT_SETTINGS), version: 0 };
    return { ...(JSON.parse(rows[0].document) as Settings), version: Number(rows[0].version) };
  }

  // What getSettings answers, parsed once per change of the row (compared by its text) and
  // frozen: one object shared by every caller, for the sign-in path, which only reads it.
  async currentSettings(): Promise<Readonly<Settings & { version: number }>> {
    const rows = await this.sql.query<{ document: string; version: number | string; updated_at: string }>(`SELECT document, version, updated_at FROM rm_settings WHERE id = 1`);
    return rows.length ? this.settingsOf(rows[0].document, rows[0].version, String(rows[0].updated_at)) : this.settingsOf(null, 0, null);
  }

  // A sign-in's first read, in one statement: the user's id and the version and update time of
  // its row and of the settings row. The states and the settings come decoded from memory while
  // those still match (see UserStateRows); otherwise they are read as getUserState and
  // currentSettings read them.
  async findSignIn(username: string): Promise<{ userId: string; state: UserState; settings: Readonly<Settings & { version: number }> } | null> {
    const rows = await this.sql.query<{ user_id: string; version: number | string; updated_at: string; settings_version: number | string | null; settings_at: string | null }>(
      `SELECT u.user_id, u.version, u.updated_at, s.version AS settings_version, s.updated_at AS settings_at FROM rm_users u LEFT JOIN rm_settings s ON s.id = 1 WHERE u.username = ?`,
      [normalizeUsername(username)],
    );
    if (!rows.length) return null;
    const r = rows[0];
    const userId = String(r.user_id);
    const state = this.states.get(userId, Number(r.version), String(r.updated_at)) ?? (await this.readState(userId));
    if (!state) return null; // deleted in between (PostgreSQL: another writer)
    const seen = this.settingsSeen;
    const settingsAt = r.settings_at === null ? null : String(r.settings_at);
    const same = seen && seen.generation === this.states.generation && seen.updatedAt === settingsAt && seen.value.version === (r.settings_version === null ? 0 : Number(r.settings_version));
    const settings = same ? seen.value : await this.currentSettings();
    return { userId, state, settings };
  }

  private async readState(userId: string): Promise<UserState | null> {
    const rows = await this.sql.query<{ state: string; version: number | string; updated_at: string }>(`SELECT state, version, updated_at FROM rm_users WHERE user_id = ?`, [userId]);
    return rows.length ? this.states.decode(userId, Number(rows[0].version), String(rows[0].updated_at), rows[0].state) : null;
  }

  // document null: no settings row yet (the defaults, version 0).
  private settingsOf(document: string | null, rawVersion: number | string, updatedAt: string | null): Readonly<Settings & { version: number }> {
    const version = document === null ? 0 : Number(rawVersion);
    const seen = this.settingsSeen;
    if (seen && seen.document === document && seen.value.version === version) {
      seen.updatedAt = updatedAt;
      seen.generation = this.states.generation;
      return seen.value;
    }
    const value = deepFreeze(document === null ? { ...structuredClone(DEFAULT_SETTINGS), version } : { ...(JSON.parse(document) as Settings), version });
    this.settingsSeen = { document, updatedAt, generation: this.states.generation, value };
    return value;
  }

  async listRadiusClients(): Promise<RadiusClientView[]> {
    return (await this.sql.query(`${RADIUS_CLIENTS} ORDER BY c.name`)).map(toRadiusClient);
  }

  async getRadiusClient(clientId: string): Promise<RadiusClientView | null> {
    const rows = await this.sql.query(`${RADIUS_CLIENTS} WHERE c.client_id = ?`, [clientId]);
    return rows.length ? toRadiusClient(rows[0]) : null;
  }

  async listSdkCredentials(): Promise<SdkCredentialView[]> {
    return (await this.sql.query(`SELECT * FROM rm_sdk_credentials ORDER BY name`)).map(toSdkCredential);
  }

  async getSdkCredential(credentialId: string): Promise<SdkCredentialView | null> {
    const rows = await this.sql.query(`SELECT * FROM rm_sdk_credentials WHERE credential_id = ?`, [credentialId]);
    return rows.length ? toSdkCredential(rows[0]) : null;
  }

  async findSdkCredentialByFingerprint(fingerprint: string): Promise<SdkCredentialView | null> {
    const rows = await this.sql.query(`SELECT * FROM rm_sdk_credentials WHERE certificate_fingerprint = ?`, [fingerprint.toLowerCase()]);
    return rows.length ? toSdkCredential(rows[0]) : null;
  }

  // Staged rollout policy of an SDK credential (`sdk:<id>`) or RADIUS client (`radius:<id>`).
  async getRolloutPolicy(clientKey: string): Promise<UnenrolledPolicy> {
    const rows = await this.sql.query<{ unenrolled: string }>(`SELECT unenrolled FROM rm_rollout_policies WHERE client_key = ?`, [clientKey]);
    return (rows[0]?.unenrolled as UnenrolledPolicy | undefined) ?? 'reject';
  }

  async listAdministrators(): Promise<AdministratorView[]> {
    const rows = await this.sql.query(`SELECT * FROM rm_administrators ORDER BY name`);
    return rows.map((r) => ({ adminId: String(r.admin_id), name: String(r.name), passwordHash: String(r.password_hash), addedAt: String(r.added_at) }));
  }

  async getAdministrator(adminId: string): Promise<AdministratorView | null> {
    return (await this.listAdministrators()).find((a) => a.adminId === adminId) ?? null;
  }

  // The epoch record with the highest epoch this node has seen; epoch 0 = the founding master.
  async getClusterEpoch(): Promise<{ epoch: number; masterNodeId: string | null; masterNodeName: string | null }> {
    const rows = await this.sql.query(`SELECT epoch, master_node_id, master_node_name FROM rm_cluster WHERE id = 1`);
    if (!rows.length) return { epoch: 0, masterNodeId: null, masterNodeName: null };
    return { epoch: Number(rows[0].epoch), masterNodeId: rows[0].master_node_id as string, masterNodeName: rows[0].master_node_name as string };
  }

  async listClusterNodes(): Promise<ClusterNodeView[]> {
    const rows = await this.sql.query(`SELECT * FROM rm_cluster_nodes ORDER BY node_name`);
    return rows.map((r) => ({
      nodeId: String(r.node_id), nodeName: String(r.node_name), host: String(r.host), httpPort: Number(r.http_port),
      replicationPort: Number(r.replication_port), joinedAt: String(r.joined_at),
    }));
  }

  async getNodeIdentity(nodeId: string): Promise<NodeIdentityView | null> {
    const rows = await this.sql.query(`SELECT * FROM rm_node_identities WHERE node_id = ?`, [nodeId]);
    return rows.length ? nodeIdentityOf(rows[0]) : null;
  }

  // The member (never a removed one) whose recorded certificate has this fingerprint.
  async findNodeByFingerprint(fingerprint: string): Promise<NodeIdentityView | null> {
    const rows = await this.sql.query(`SELECT * FROM rm_node_identities WHERE fingerprint = ? AND removed_at IS NULL`, [fingerprint]);
    return rows.length ? nodeIdentityOf(rows[0]) : null;
  }

  async listNodeIdentities(): Promise<NodeIdentityView[]> {
    return (await this.sql.query(`SELECT * FROM rm_node_identities ORDER BY node_name`)).map(nodeIdentityOf);
  }

  // ---- mobile-app devices ----

  async listDevices(userId: string): Promise<DeviceView[]> {
    return (await this.sql.query(`SELECT * FROM rm_devices WHERE user_id = ? ORDER BY activated_at, device_id`, [userId])).map(deviceOf);
  }

  async getDevice(deviceId: string): Promise<DeviceView | null> {
    const rows = await this.sql.query(`SELECT * FROM rm_devices WHERE device_id = ?`, [deviceId]);
    return rows.length ? deviceOf(rows[0]) : null;
  }

  // The user an unused activation code (by its hash) was issued to, with its expiry.
  async findDeviceActivation(codeHash: string): Promise<{ userId: string; expiresAt: string; used: boolean } | null> {
    const rows = await this.sql.query(`SELECT * FROM rm_device_activations WHERE code_hash = ?`, [codeHash]);
    return rows.length ? { userId: String(rows[0].user_id), expiresAt: String(rows[0].expires_at), used: bool(rows[0].used) } : null;
  }

  // Push sign-ins recorded for the user and not decided yet (expired ones included: the caller
  // opens the sealed approval id, which knows its own expiry).
  async listPushRequests(userId: string): Promise<Array<{ approvalKey: string; approvalId: string; requestedAt: string }>> {
    const rows = await this.sql.query(`SELECT * FROM rm_push_requests WHERE user_id = ? ORDER BY requested_at`, [userId]);
    return rows.map((r) => ({ approvalKey: String(r.approval_key), approvalId: String(r.approval_id), requestedAt: String(r.requested_at) }));
  }

  // Every row of every table in a stable order: used to prove rebuild == incremental.
  async dump(): Promise<Record<string, Row[]>> {
    const out: Record<string, Row[]> = {};
    const order: Record<string, string> = {
      rm_users: 'user_id', rm_oath_tokens: 'user_id, token_id', rm_settings: 'id', rm_radius_clients: 'client_id',
      rm_sdk_credentials: 'credential_id', rm_administrators: 'admin_id', rm_checkpoint: 'name',
      rm_cluster: 'id', rm_cluster_nodes: 'node_id', rm_node_identities: 'node_id', rm_rollout_policies: 'client_key',
      rm_devices: 'device_id', rm_device_activations: 'code_hash', rm_push_requests: 'approval_key',
    };
    for (const [table, key] of Object.entries(order)) {
      out[table] = (await this.sql.query(`SELECT * FROM ${table} ORDER BY ${key}`)).map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
      );
    }
    return out;
  }
}

export interface DeviceView { deviceId: string; userId: string; name: string; publicKey: string; pushAddress: string | null; activatedAt: string }

function deviceOf(r: Row): DeviceView {
  return { deviceId: String(r.device_id), userId: String(r.user_id), name: String(r.name), publicKey: String(r.public_key), pushAddress: (r.push_address as string | null) ?? null, activatedAt: String(r.activated_at) };
}

function nodeIdentityOf(r: Row): NodeIdentityView {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    nodeId: String(r.node_id), nodeName: String(r.node_name), fingerprint: text(r.fingerprint), reason: text(r.reason),
    recordedAt: text(r.recorded_at), removed: r.removed_at !== null && r.removed_at !== undefined, removedAt: text(r.removed_at),
  };
}
