import type { StoredEvent } from '@twofold/event-store';
import { narrowEvent } from '@twofold/domain';
import { Sql } from '../storage/sql';

const TYPES = { SdkCredentialIssued: true, SdkCredentialRevoked: true } as const;

export async function projectSdkCredential(sql: Sql, e: StoredEvent): Promise<boolean> {
  const event = narrowEvent(e, TYPES);
  switch (event?.type) {
    case 'SdkCredentialIssued': {
      const p = event.data;
      await sql.query(
        `INSERT INTO rm_sdk_credentials (credential_id, name, scopes, secret_hash, certificate_fingerprint, revoked, version, issued_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
        [p.credentialId, p.name, JSON.stringify(p.scopes ?? []), p.secretHash, p.certificateFingerprint ?? null, e.streamVersion, e.timestamp, e.timestamp],
      );
      return true;
    }
    case 'SdkCredentialRevoked':
      await sql.query(`UPDATE rm_sdk_credentials SET revoked = 1, version = ?, updated_at = ? WHERE credential_id = ?`, [e.streamVersion, e.timestamp, event.data.credentialId]);
      return true;
    default:
      return false;
  }
}
