import type { StoredEvent } from '@twofold/event-store';
import { evolveUser, INITIAL_USER_STATE, UserState } from '@twofold/domain';
import { Sql } from '../storage/sql';

const TOKEN_EVENTS = new Set(['OathTokenAssigned', 'OathTokenRemoved', 'OathCodeUsed']);

// The user row holds query columns plus the folded domain state, so lockout and PIN policies
// run on any node from its own read model with the same code the master uses.
export async function projectUser(sql: Sql, e: StoredEvent): Promise<boolean> {
  if (!e.streamId.startsWith('user-')) return false;
  const userId = String(e.payload.userId);
  const rows = await sql.query<{ state: string }>(`SELECT state FROM rm_users WHERE user_id = ?`, [userId]);
  const before: UserState | null = rows.length ? JSON.parse(rows[0].state) : null;
  const state = evolveUser(before ?? INITIAL_USER_STATE, { type: e.type, schemaVersion: e.schemaVersion, payload: e.payload });
  if (!state.exists || state.deleted || !state.profile) {
    await sql.query(`DELETE FROM rm_users WHERE user_id = ?`, [userId]);
    await sql.query(`DELETE FROM rm_oath_tokens WHERE user_id = ?`, [userId]);
    return true;
  }
  const profile = state.profile;
  const columns = [
    profile.username, profile.displayName, profile.email, JSON.stringify(profile.phones), profile.preferredMethod, profile.language,
    state.enabled, state.pinHash !== null, state.passwordHash !== null, state.lockedOut?.until ?? null, state.lockedOut !== null,
    state.blocked !== null, state.blocked?.until ?? null, JSON.stringify(state), e.streamVersion, e.timestamp,
  ];
  if (before) {
    await sql.query(
      `UPDATE rm_users SET username = ?, display_name = ?, email = ?, phones = ?, preferred_method = ?, language = ?, enabled = ?,
       has_pin = ?, has_password = ?, locked_until = ?, locked = ?, blocked = ?, blocked_until = ?, state = ?, version = ?, updated_at = ?
       WHERE user_id = ?`,
      [...columns, userId],
    );
  } else {
    await sql.query(
      `INSERT INTO rm_users (username, display_name, email, phones, preferred_method, language, enabled, has_pin, has_password,
       locked_until, locked, blocked, blocked_until, state, version, updated_at, user_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...columns, userId, e.timestamp],
    );
  }
  if (TOKEN_EVENTS.has(e.type)) await syncTokens(sql, userId, state, e.timestamp);
  return true;
}

// Token rows mirror the folded state; created_at survives later changes to a token.
async function syncTokens(sql: Sql, userId: string, state: UserState, timestamp: string): Promise<void> {
  const existing = await sql.query<{ token_id: string; created_at: string }>(`SELECT token_id, created_at FROM rm_oath_tokens WHERE user_id = ?`, [userId]);
  const createdAt = new Map(existing.map((r) => [r.token_id, r.created_at]));
  await sql.query(`DELETE FROM rm_oath_tokens WHERE user_id = ?`, [userId]);
  for (const t of state.tokens) {
    await sql.query(
      `INSERT INTO rm_oath_tokens (token_id, user_id, kind, algorithm, digits, period, counter, last_used_counter, seed, label, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [t.tokenId, userId, t.kind, t.algorithm, t.digits, t.period, t.counter, t.lastUsedCounter ?? -1, JSON.stringify(t.seed), t.label, createdAt.get(t.tokenId) ?? timestamp],
    );
  }
}
