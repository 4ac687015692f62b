import type { RadiusClientEvent } from '@twofold/domain';
import { projection } from './projection';

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
const COLUMNS: Record<string, [string, (v: unknown) => unknown]> = {
  name: ['name', (v) => v], address: ['address', (v) => v], firstFactor: ['first_factor', (v) => v],
  requireMessageAuthenticator: ['require_message_authenticator', (v) => v !== false],
  ldap: ['ldap', json], upstream: ['upstream', json],
};

export const projectRadiusClient = projection<RadiusClientEvent>({
  RadiusClientAdded: (sql, p, e) => sql.query(
    `INSERT INTO rm_radius_clients (client_id, name, address, secret, first_factor, require_message_authenticator, ldap, upstream, version, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [p.clientId, p.name, p.address, json(p.secret), p.firstFactor, p.requireMessageAuthenticator !== false, json(p.ldap), json(p.upstream), e.streamVersion, e.timestamp, e.timestamp],
  ),
  RadiusClientUpdated: (sql, { clientId, changes, secret }, e) => {
    const sets: string[] = ['version = ?', 'updated_at = ?'];
    const params: unknown[] = [e.streamVersion, e.timestamp];
    for (const [key, value] of Object.entries(changes ?? {})) {
      const column = Object.hasOwn(COLUMNS, key) ? COLUMNS[key] : undefined;
      if (column) { sets.push(`${column[0]} = ?`); params.push(column[1](value)); }
    }
    if (secret) { sets.push('secret = ?'); params.push(json(secret)); }
    return sql.query(`UPDATE rm_radius_clients SET ${sets.join(', ')} WHERE client_id = ?`, [...params, clientId]);
  },
  RadiusClientRemoved: (sql, { clientId }) => sql.query(`DELETE FROM rm_radius_clients WHERE client_id = ?`, [clientId]),
});
