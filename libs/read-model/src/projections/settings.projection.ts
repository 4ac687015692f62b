import type { StoredEvent } from '@twofold/event-store';
import { mergeSettings, DEFAULT_SETTINGS, narrowEvent, Settings } from '@twofold/domain';
import { Sql } from '../storage/sql';
import { forTypes } from './projection';

const TYPES = { SettingsUpdated: true } as const;

export const projectSettings = forTypes(TYPES, async (sql: Sql, e: StoredEvent): Promise<boolean> => {
  const event = narrowEvent(e, TYPES);
  if (!event) return false;
  const rows = await sql.query<{ document: string }>(`SELECT document FROM rm_settings WHERE id = 1`);
  const current: Settings = rows.length ? JSON.parse(rows[0].document) : structuredClone(DEFAULT_SETTINGS);
  const next = mergeSettings(current, event.data.changes);
  if (rows.length) {
    await sql.query(`UPDATE rm_settings SET document = ?, version = ?, updated_at = ? WHERE id = 1`, [JSON.stringify(next), e.streamVersion, e.timestamp]);
  } else {
    await sql.query(`INSERT INTO rm_settings (id, document, version, updated_at) VALUES (1, ?, ?, ?)`, [JSON.stringify(next), e.streamVersion, e.timestamp]);
  }
  return true;
});
