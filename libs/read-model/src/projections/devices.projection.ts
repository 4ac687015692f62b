import type { StoredEvent } from '@twofold/event-store';
import { narrowEvent } from '@twofold/domain';
import { Sql } from '../storage/sql';
import { forTypes } from './projection';

// Pending push requests are forgotten this long after they were made (an approval window is
// minutes); the cut is taken from the event's own time, so a rebuild keeps the same rows.
const PUSH_REQUEST_KEPT_MS = 60 * 60 * 1000;
const TYPES = { DeviceActivationIssued: true, DeviceActivated: true, DeviceRemoved: true, UserDeleted: true, PushApprovalRequested: true, OutOfBandApprovalDecided: true } as const;

// Devices per user, activation codes (by hash) and the push sign-ins waiting for a device. Runs
// beside the other projections: PushApprovalRequested is on the user's stream and also folds there.
export const projectDevices = forTypes(TYPES, async (sql: Sql, e: StoredEvent): Promise<boolean> => {
  const event = narrowEvent(e, TYPES);
  switch (event?.type) {
    case 'DeviceActivationIssued': {
      const { userId, codeHash, expiresAt } = event.data;
      await sql.query(`DELETE FROM rm_device_activations WHERE user_id = ? AND (used = 1 OR expires_at <= ?)`, [userId, e.timestamp]);
      await sql.query(`INSERT INTO rm_device_activations (code_hash, user_id, expires_at, used) VALUES (?, ?, ?, 0)`, [codeHash, userId, expiresAt]);
      return true;
    }
    case 'DeviceActivated': {
      const p = event.data;
      await sql.query(`UPDATE rm_device_activations SET used = 1 WHERE code_hash = ?`, [p.codeHash]);
      await sql.query(
        `INSERT INTO rm_devices (device_id, user_id, name, public_key, push_address, activated_at) VALUES (?, ?, ?, ?, ?, ?)`,
        [p.deviceId, p.userId, p.name, p.publicKey, p.pushAddress ?? null, p.at],
      );
      return true;
    }
    case 'DeviceRemoved':
      await sql.query(`DELETE FROM rm_devices WHERE device_id = ?`, [event.data.deviceId]);
      return true;
    case 'UserDeleted':
      await sql.query(`DELETE FROM rm_devices WHERE user_id = ?`, [event.data.userId]);
      await sql.query(`DELETE FROM rm_push_requests WHERE user_id = ?`, [event.data.userId]);
      return false; // the user projection handles the user itself
    case 'PushApprovalRequested': {
      const { approvalKey, userId, approvalId } = event.data;
      await sql.query(`DELETE FROM rm_push_requests WHERE requested_at < ?`, [new Date(Date.parse(e.timestamp) - PUSH_REQUEST_KEPT_MS).toISOString()]);
      await sql.query(`INSERT INTO rm_push_requests (approval_key, user_id, approval_id, requested_at) VALUES (?, ?, ?, ?) ON CONFLICT (approval_key) DO NOTHING`, [approvalKey, userId, approvalId, e.timestamp]);
      return false; // also folded into the user's state
    }
    case 'OutOfBandApprovalDecided':
      await sql.query(`DELETE FROM rm_push_requests WHERE approval_key = ?`, [event.data.approvalKey]);
      return true;
    default:
      return false;
  }
});
