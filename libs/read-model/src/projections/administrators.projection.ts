import type { StoredEvent } from '@twofold/event-store';
import { narrowEvent } from '@twofold/domain';
import { Sql } from '../storage/sql';

const TYPES = { AdministratorAdded: true, AdministratorRemoved: true } as const;

export async function projectAdministrator(sql: Sql, e: StoredEvent): Promise<boolean> {
  const event = narrowEvent(e, TYPES);
  switch (event?.type) {
    case 'AdministratorAdded': {
      const { adminId, name, passwordHash } = event.data;
      await sql.query(`INSERT INTO rm_administrators (admin_id, name, password_hash, added_at) VALUES (?, ?, ?, ?)`, [adminId, name, passwordHash, e.timestamp]);
      return true;
    }
    case 'AdministratorRemoved':
      await sql.query(`DELETE FROM rm_administrators WHERE admin_id = ?`, [event.data.adminId]);
      return true;
    default:
      return false;
  }
}
