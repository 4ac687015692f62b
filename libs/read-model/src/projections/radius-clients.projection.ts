import type { StoredEvent } from '@twofold/event-store';
import { Sql } from '../storage/sql';

type Payload = Record<string, unknown>;
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export async function projectRadiusClient(sql: Sql, e: StoredEvent): Promise<boolean> {
  const p = e.payload as Payload;
  switch (e.type) {
    case 'RadiusClientAdded':
      await sql.query(
        `INSERT INTO rm_radius_clients (client_id, name, address, secret, first_factor, require_message_authenticator, ldap, upstream, version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [p.clientId, p.name, p.address, json(p.secret), p.firstFactor, p.requireMessageAuthenticator !== false, json(p.ldap), json(p.upstream), e.streamVersion, e.timestamp, e.timestamp],
      );
      return true;
    case 'RadiusClientUpdated': {
      const c = (p.changes ?? {}) as Payload;
      const sets: string[] = ['version = ?', 'updated_at = ?'];
      const params: unknown[] = [e.streamVersion, e.timestamp];
      const column: Record<string, [string, (v: unknown) => unknown]> = {
        name: ['name', (v) => v], address: ['address', (v) => v], firstFactor: ['first_factor', (v) => v],
        requireMessageAuthenticator: ['require_message_authenticator', (v) => v !== false],
        ldap: ['ldap', json], upstream: ['upstream', json],
      };
      for (const [key, [col, map]] of Object.entries(column)) {
        if (key in c) { sets.push(`${col} = ?`); params.push(map(c[key])); }
      }
      if (p.secret) { sets.push('secret = ?'); params.push(json(p.secret)); }
      await sql.query(`UPDATE rm_radius_clients SET ${sets.join(', ')} WHERE client_id = ?`, [...params, p.clientId]);
      return true;
    }
    case 'RadiusClientRemoved':
      await sql.query(`DELETE FROM rm_radius_clients WHERE client_id = ?`, [p.clientId]);
      return true;
    default:
      return false;
  }
}
