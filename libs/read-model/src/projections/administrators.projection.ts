import type { StoredEvent } from '@twofold/event-store';
import { Sql } from '../storage/sql';

export async function projectAdministrator(sql: Sql, e: StoredEvent): Promise<boolean> {
  const p = e.payload as Record<string, unknown>;
  switch (e.type) {
    case 'AdministratorAdded':
      await sql.query(`INSERT INTO rm_administrators (admin_id, name, password_hash, added_at) VALUES (?, ?, ?, ?)`, [p.adminId, p.name, p.passwordHash, e.timestamp]);
      return true;
    case 'AdministratorRemoved':
      await sql.query(`DELETE FROM rm_administrators WHERE admin_id = ?`, [p.adminId]);
      return true;
    default:
      return false;
  }
}
