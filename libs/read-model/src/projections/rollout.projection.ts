import type { StoredEvent } from '@twofold/event-store';
import { Sql } from '../storage/sql';

// Staged rollout policies per RADIUS client and SDK credential (key `radius:<id>` / `sdk:<id>`), in
// a table of their own so an upgraded read model needs no ALTER; a client without a row is 'reject'.
// The policy event is on the client's stream: its row's version moves with it (registry reloads).
export async function projectRollout(sql: Sql, e: StoredEvent): Promise<boolean> {
  const p = e.payload as Record<string, unknown>;
  const upsert = (key: string) => sql.query(
    `INSERT INTO rm_rollout_policies (client_key, unenrolled, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (client_key) DO UPDATE SET unenrolled = excluded.unenrolled, updated_at = excluded.updated_at`,
    [key, p.unenrolled, e.timestamp],
  );
  switch (e.type) {
    case 'RadiusClientRolloutPolicySet':
      await upsert(`radius:${String(p.clientId)}`);
      await sql.query(`UPDATE rm_radius_clients SET version = ?, updated_at = ? WHERE client_id = ?`, [e.streamVersion, e.timestamp, p.clientId]);
      return true;
    case 'SdkCredentialRolloutPolicySet':
      await upsert(`sdk:${String(p.credentialId)}`);
      await sql.query(`UPDATE rm_sdk_credentials SET version = ?, updated_at = ? WHERE credential_id = ?`, [e.streamVersion, e.timestamp, p.credentialId]);
      return true;
    case 'RadiusClientRemoved':
      await sql.query(`DELETE FROM rm_rollout_policies WHERE client_key = ?`, [`radius:${String(p.clientId)}`]);
      return false; // the RADIUS client projection removes the client itself
    default:
      return false;
  }
}
