import { obj, str, type OperationTable } from './operation-table';

// Admin operations for moving in (staged rollout, hardware token import, directory sync), merged
// into ADMIN_OPERATIONS; kept apart so the main list stays short.
export const MIGRATION_OPERATIONS: OperationTable = {
  'POST /users/{user}/bypass': { summary: 'Let the user sign in without a second factor for a while ({ seconds, reason, once? }); recorded with the administrator', body: 'BypassInput', ok: 200 },
  'DELETE /users/{user}/bypass': { summary: 'End the user\'s bypass now, on every node (409 bypass_not_active when none is active); recorded with the administrator' },
  'PUT /radius-clients/{client}/rollout': { summary: 'Set what the client does for users with no second factor ({ unenrolled: reject | first-factor-only })', body: 'RolloutInput' },
  'PUT /sdk-credentials/{credential}/rollout': { summary: 'Set what the credential does for users with no second factor ({ unenrolled })', body: 'RolloutInput' },
  'POST /tokens/import': { summary: 'Import hardware tokens ({ format, tokens }; ?dryRun=true writes nothing); returns accepted and refused entries', body: 'TokenImportInput', ok: 200 },
  'GET /tokens/pool': { summary: 'Imported tokens and whom they are assigned to (no seeds)' },
  'POST /users/{user}/tokens/from-pool': { summary: 'Give the user an imported token from the unassigned pool ({ serial })', body: 'SerialInput' },
  'POST /directories': { summary: 'Add an LDAP/AD directory source (bind password sealed)', body: 'DirectoryInput' },
  'GET /directories': { summary: 'List directory source names' },
  'GET /directories/{name}': { summary: 'A source, the users it manages and its recent runs' },
  'PATCH /directories/{name}': { summary: 'Change a source (any field but the name; a new bindPassword is sealed)', body: 'DirectoryInput' },
  'DELETE /directories/{name}': { summary: 'Remove a source; its users stay as they are and are no longer synced ({ name, keptUsers })' },
  'POST /directories/{name}/sync': { summary: 'Sync now on the master (?dryRun=true: the changes, nothing written)', ok: 200 },
  'POST /directories/runs/{run}/approve': { summary: 'Let a run held by the safety threshold go on', ok: 200 },
};


export const MIGRATION_SCHEMAS: Record<string, unknown> = {
  BypassInput: obj({ seconds: { type: 'integer', minimum: 5, maximum: 604800 }, reason: str, once: { type: 'boolean' } }, ['seconds', 'reason']),
  RolloutInput: obj({ unenrolled: { enum: ['reject', 'first-factor-only'] } }, ['unenrolled']),
  TokenImportInput: obj({ format: { enum: ['pskc', 'csv'] }, tokens: { type: 'array', items: obj({ serial: str, seed: { type: 'string', description: 'base32' }, kind: { enum: ['totp', 'hotp'] }, algorithm: str, digits: { enum: [6, 8] }, period: { enum: [30, 60] }, counter: { type: 'integer' }, username: str }, ['serial', 'seed', 'kind', 'algorithm', 'digits']) } }, ['tokens']),
  SerialInput: obj({ serial: str }, ['serial']),
  DirectoryInput: { type: 'object', description: 'name, urls, startTls, caFile, bindDn, bindPassword, baseDn, filter, groupDn, mapping, intervalMinutes, removal, thresholdPercent, timeoutMs, nestedGroups (off | auto | in-chain | walk)', required: ['name', 'urls', 'bindDn', 'bindPassword', 'baseDn'] },
};
