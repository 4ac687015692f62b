import type { AdministratorEvent } from '@twofold/domain';
import { projection } from './projection';

export const projectAdministrator = projection<AdministratorEvent>({
  AdministratorAdded: (sql, { adminId, name, passwordHash }, e) =>
    sql.query(`INSERT INTO rm_administrators (admin_id, name, password_hash, added_at) VALUES (?, ?, ?, ?)`, [adminId, name, passwordHash, e.timestamp]),
  AdministratorRemoved: (sql, { adminId }) => sql.query(`DELETE FROM rm_administrators WHERE admin_id = ?`, [adminId]),
});
