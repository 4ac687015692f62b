import type { StoredEvent } from '@twofold/event-store';
import { narrowEvent } from '@twofold/domain';
import { Sql } from '../storage/sql';

const TYPES = { RadiusClientAdded: true, RadiusClientUpdated: true, RadiusClientRemoved: true } as const;
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
const COLUMNS: Record<string, [string, (v: unknown) => unknown]> = {
  name: ['name', (v) => v], address: ['address', (v) => v], firstFactor: ['first_factor', (v) => v],
  requireMessageAuthenticator: ['require_message_authenticator', (v) => v !== false],
  ldap: ['ldap', json], upstream: ['upstream', json],
};

export async function projectRadiusClient(sql: Sql, e: StoredEvent): Promise<boolean> {
  const event = narrowEvent(e, TYPES);
  switch (event?.type) {
    case 'RadiusClientAdded': {
      const p = event.data;
      await sql.query(
        `INSERT INTO rm_radius_clients (client_id, name, address, secret, first_factor, require_message_authenticator, ldap, upstream, version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [p.clientId, p.name, p.address, json(p.secret), p.firstFactor, p.requireMessageAuthenticator !== false, json(p.ldap), json(p.upstream), e.streamVersion, e.timestamp, e.timestamp],
      );
      return true;
    }
    case 'RadiusClientUpdated': {
      const { clientId, changes, secret } = event.data;
      const sets: string[] = ['version = ?', 'updated_at = ?'];
      const params: unknown[] = [e.streamVersion, e.timestamp];
      for (const [key, value] of Object.entries(changes ?? {})) {
        const column = Object.hasOwn(COLUMNS, key) ? COLUMNS[key] : undefined;
        if (column) { sets.push(`${column[0]} = ?`); params.push(column[1](value)); }
      }
      if (secret) { sets.push('secret = ?'); params.push(json(secret)); }
      await sql.query(`UPDATE rm_radius_clients SET ${sets.join(', ')} WHERE client_id = ?`, [...params, clientId]);
      return true;
    }
    case 'RadiusClientRemoved':
      await sql.query(`DELETE FROM rm_radius_clients WHERE client_id = ?`, [event.data.clientId]);
      return true;
    default:
      return false;
  }
}
