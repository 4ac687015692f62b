// Admin operations for moving in (staged rollout, hardware token import, directory sync), merged
// into ADMIN_OPERATIONS; kept apart so the main list stays short.
export const MIGRATION_OPERATIONS = [
  { method: 'post', path: '/admin/v1/users/{user}/bypass', summary: 'Let the user sign in without a second factor for a while ({ seconds, reason, once? }); recorded with the administrator', body: 'BypassInput', ok: 200 },
  { method: 'delete', path: '/admin/v1/users/{user}/bypass', summary: 'End the user\'s bypass now, on every node (409 bypass_not_active when none is active); recorded with the administrator', ok: 200 },
  { method: 'put', path: '/admin/v1/radius-clients/{client}/rollout', summary: 'Set what the client does for users with no second factor ({ unenrolled: reject | first-factor-only })', body: 'RolloutInput', ok: 200 },
  { method: 'put', path: '/admin/v1/sdk-credentials/{credential}/rollout', summary: 'Set what the credential does for users with no second factor ({ unenrolled })', body: 'RolloutInput', ok: 200 },
  { method: 'post', path: '/admin/v1/tokens/import', summary: 'Import hardware tokens ({ format, tokens }; ?dryRun=true writes nothing); returns accepted and refused entries', body: 'TokenImportInput', ok: 200 },
  { method: 'get', path: '/admin/v1/tokens/pool', summary: 'Imported tokens and whom they are assigned to (no seeds)', ok: 200 },
  { method: 'post', path: '/admin/v1/users/{user}/tokens/from-pool', summary: 'Give the user an imported token from the unassigned pool ({ serial })', body: 'SerialInput', ok: 200 },
  { method: 'post', path: '/admin/v1/directories', summary: 'Add an LDAP/AD directory source (bind password sealed)', body: 'DirectoryInput', ok: 201 },
  { method: 'get', path: '/admin/v1/directories', summary: 'List directory source names', ok: 200 },
  { method: 'get', path: '/admin/v1/directories/{name}', summary: 'A source, the users it manages and its recent runs', ok: 200 },
  { method: 'patch', path: '/admin/v1/directories/{name}', summary: 'Change a source (any field but the name; a new bindPassword is sealed)', body: 'DirectoryInput', ok: 200 },
  { method: 'delete', path: '/admin/v1/directories/{name}', summary: 'Remove a source; its users stay as they are and are no longer synced ({ name, keptUsers })', ok: 200 },
  { method: 'post', path: '/admin/v1/directories/{name}/sync', summary: 'Sync now on the master (?dryRun=true: the changes, nothing written)', ok: 200 },
  { method: 'post', path: '/admin/v1/directories/runs/{run}/approve', summary: 'Let a run held by the safety threshold go on', ok: 200 },
] as const;

const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });
const str = { type: 'string' };

export const MIGRATION_SCHEMAS: Record<string, unknown> = {
  BypassInput: obj({ seconds: { type: 'integer', minimum: 5, maximum: 604800 }, reason: str, once: { type: 'boolean' } }, ['seconds', 'reason']),
  RolloutInput: obj({ unenrolled: { enum: ['reject', 'first-factor-only'] } }, ['unenrolled']),
  TokenImportInput: obj({ format: { enum: ['pskc', 'csv'] }, tokens: { type: 'array', items: obj({ serial: str, seed: { type: 'string', description: 'base32' }, kind: { enum: ['totp', 'hotp'] }, algorithm: str, digits: { enum: [6, 8] }, period: { enum: [30, 60] }, counter: { type: 'integer' }, username: str }, ['serial', 'seed', 'kind', 'algorithm', 'digits']) } }, ['tokens']),
  SerialInput: obj({ serial: str }, ['serial']),
  DirectoryInput: { type: 'object', description: 'name, urls, startTls, caFile, bindDn, bindPassword, baseDn, filter, groupDn, mapping, intervalMinutes, removal, thresholdPercent, timeoutMs, nestedGroups (off | auto | in-chain | walk)', required: ['name', 'urls', 'bindDn', 'bindPassword', 'baseDn'] },
};
