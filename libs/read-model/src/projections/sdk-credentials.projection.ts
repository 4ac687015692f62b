import type { StoredEvent } from '@twofold/event-store';
import { Sql } from '../storage/sql';

export async function projectSdkCredential(sql: Sql, e: StoredEvent): Promise<boolean> {
  const p = e.payload as Record<string, unknown>;
  switch (e.type) {
    case 'SdkCredentialIssued':
      await sql.query(
        `INSERT INTO rm_sdk_credentials (credential_id, name, scopes, secret_hash, certificate_fingerprint, revoked, version, issued_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
        [p.credentialId, p.name, JSON.stringify(p.scopes ?? []), p.secretHash, p.certificateFingerprint ?? null, e.streamVersion, e.timestamp, e.timestamp],
      );
      return true;
    case 'SdkCredentialRevoked':
      await sql.query(`UPDATE rm_sdk_credentials SET revoked = 1, version = ?, updated_at = ? WHERE credential_id = ?`, [e.streamVersion, e.timestamp, p.credentialId]);
      return true;
    default:
      return false;
  }
}
