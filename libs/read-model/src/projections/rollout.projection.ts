import type { StoredEvent } from '@twofold/event-store';
import { narrowEvent, UnenrolledPolicy } from '@twofold/domain';
import { Sql } from '../storage/sql';
import { forTypes } from './projection';

const TYPES = { RadiusClientRolloutPolicySet: true, SdkCredentialRolloutPolicySet: true, RadiusClientRemoved: true } as const;

// Staged rollout policies per RADIUS client and SDK credential (key `radius:<id>` / `sdk:<id>`), in
// a table of their own so an upgraded read model needs no ALTER; a client without a row is 'reject'.
// The policy event is on the client's stream: its row's version moves with it (registry reloads).
export const projectRollout = forTypes(TYPES, async (sql: Sql, e: StoredEvent): Promise<boolean> => {
  const event = narrowEvent(e, TYPES);
  const upsert = (key: string, unenrolled: UnenrolledPolicy) => sql.query(
    `INSERT INTO rm_rollout_policies (client_key, unenrolled, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (client_key) DO UPDATE SET unenrolled = excluded.unenrolled, updated_at = excluded.updated_at`,
    [key, unenrolled, e.timestamp],
  );
  switch (event?.type) {
    case 'RadiusClientRolloutPolicySet': {
      const { clientId, unenrolled } = event.data;
      await upsert(`radius:${clientId}`, unenrolled);
      await sql.query(`UPDATE rm_radius_clients SET version = ?, updated_at = ? WHERE client_id = ?`, [e.streamVersion, e.timestamp, clientId]);
      return true;
    }
    case 'SdkCredentialRolloutPolicySet': {
      const { credentialId, unenrolled } = event.data;
      await upsert(`sdk:${credentialId}`, unenrolled);
      await sql.query(`UPDATE rm_sdk_credentials SET version = ?, updated_at = ? WHERE credential_id = ?`, [e.streamVersion, e.timestamp, credentialId]);
      return true;
    }
    case 'RadiusClientRemoved':
      await sql.query(`DELETE FROM rm_rollout_policies WHERE client_key = ?`, [`radius:${event.data.clientId}`]);
      return false; // the RADIUS client projection removes the client itself
    default:
      return false;
  }
});
