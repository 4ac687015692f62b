import type { SdkCredentialEvent } from '@twofold/domain';
import { projection } from './projection';

export const projectSdkCredential = projection<SdkCredentialEvent>({
  SdkCredentialIssued: (sql, p, e) => sql.query(
    `INSERT INTO rm_sdk_credentials (credential_id, name, scopes, secret_hash, certificate_fingerprint, revoked, version, issued_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
    [p.credentialId, p.name, JSON.stringify(p.scopes ?? []), p.secretHash, p.certificateFingerprint ?? null, e.streamVersion, e.timestamp, e.timestamp],
  ),
  SdkCredentialRevoked: (sql, { credentialId }, e) =>
    sql.query(`UPDATE rm_sdk_credentials SET revoked = 1, version = ?, updated_at = ? WHERE credential_id = ?`, [e.streamVersion, e.timestamp, credentialId]),
});
