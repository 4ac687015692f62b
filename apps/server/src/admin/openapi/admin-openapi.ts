// The admin API's OpenAPI 3.1 document. Routes here are checked against the controllers by a test.
import { MIGRATION_OPERATIONS, MIGRATION_SCHEMAS } from './migration-operations';
import { obj, operations, str, type Op } from './operation-table';

export const ADMIN_OPERATIONS: Op[] = operations({
  'POST /users': { summary: 'Create a user', body: 'UserInput' },
  'GET /users': { summary: 'List users (offset, limit, filter)' },
  'GET /users/{user}': { summary: 'Get a user by id or username' },
  'PATCH /users/{user}': { summary: 'Update a user profile', body: 'UserChanges', ifMatch: true },
  'DELETE /users/{user}': { summary: 'Delete a user', ok: 204, ifMatch: true },
  'PUT /users/{user}/pin': { summary: 'Set the user\'s PIN', body: 'PinInput' },
  'DELETE /users/{user}/pin': { summary: 'Clear the user\'s PIN' },
  'PUT /users/{user}/password': { summary: 'Set the user\'s local password', body: 'PasswordInput' },
  'POST /users/{user}/invitations': { summary: 'Issue a one-time invitation code (the user signs in once with it and their password to enrol; valid validHours, 72 by default). With send sms|email the code goes to the user\'s first phone number or e-mail address and is not in the answer (sentTo, masked, is)', body: 'InvitationInput' },
  'POST /users/{user}/enable': { summary: 'Enable a user', ok: 200 },
  'POST /users/{user}/disable': { summary: 'Disable a user', ok: 200 },
  'POST /users/{user}/unlock': { summary: 'Lift a lockout', ok: 200 },
  'POST /users/{user}/block': { summary: 'Block a user for fraud', ok: 200 },
  'POST /users/{user}/unblock': { summary: 'Lift a fraud block', ok: 200 },
  'GET /users/{user}/tokens': { summary: 'List the user\'s OATH tokens (no seeds)' },
  'POST /users/{user}/tokens': { summary: 'Assign an OATH token; the otpauth URI is returned once (with a QR code only for ?qr=png or ?qr=svg: qrPngBase64 / qrSvg)', body: 'TokenInput' },
  'DELETE /users/{user}/tokens/{tokenId}': { summary: 'Remove an OATH token', ok: 204 },
  'GET /users/{user}/devices': { summary: 'List the user\'s mobile-app devices (no keys)' },
  'DELETE /users/{user}/devices/{deviceId}': { summary: 'Remove a mobile-app device: it can no longer see or answer push sign-ins', ok: 204 },
  'GET /settings': { summary: 'Get settings' },
  'PATCH /settings': { summary: 'Change settings (deep partial)', body: 'SettingsChanges', ifMatch: true },
  'POST /radius-clients': { summary: 'Add a RADIUS client', body: 'RadiusClientInput' },
  'GET /radius-clients': { summary: 'List RADIUS clients (no secrets)' },
  'GET /radius-clients/{client}': { summary: 'Get a RADIUS client by id or name' },
  'PATCH /radius-clients/{client}': { summary: 'Update a RADIUS client', body: 'RadiusClientChanges', ifMatch: true },
  'DELETE /radius-clients/{client}': { summary: 'Remove a RADIUS client', ok: 204 },
  'POST /sdk-credentials': { summary: 'Issue an SDK credential; the secret is returned once', body: 'SdkCredentialInput' },
  'GET /sdk-credentials': { summary: 'List SDK credentials' },
  'DELETE /sdk-credentials/{credential}': { summary: 'Revoke an SDK credential', ok: 204 },
  'POST /administrators': { summary: 'Add an administrator; the credential is returned once', body: 'AdministratorInput' },
  'GET /administrators': { summary: 'List administrators' },
  'DELETE /administrators/{admin}': { summary: 'Remove an administrator', ok: 204 },
  'GET /status': { summary: 'Node role, epoch, log head, read model position, per-slave lag' },
  'POST /cluster/join-tokens': { summary: 'Issue a one-time token for `twofold join` on a new node', body: 'JoinTokenInput' },
  'GET /cluster/nodes': { summary: 'List member nodes with their recorded certificate fingerprint and whether they were removed' },
  'POST /cluster/nodes/{name}/remove': { summary: 'Remove a node: its certificate is refused everywhere at once', ok: 200 },
  'POST /cluster/nodes/{name}/certificate': { summary: 'Re-issue a node\'s certificate (rotation); key and certificate are returned once' },
  'POST /sdk-client-certificates': { summary: 'Issue a client certificate for an SDK application (the CA key stays on this node); key returned once', body: 'ClientCertificateInput' },
  'POST /cluster/promote': { summary: 'Promote this node (a slave) to master with the next epoch', ok: 200 },
  ...MIGRATION_OPERATIONS,
});

const SCHEMAS: Record<string, unknown> = {
  UserInput: obj({ username: str, displayName: str, email: str, phones: { type: 'array', items: obj({ label: str, number: str }, ['number']) }, preferredMethod: { enum: ['totp', 'sms', 'voice', 'push'] }, language: str }, ['username']),
  UserChanges: obj({ displayName: str, email: str, phones: { type: 'array' }, preferredMethod: str, language: str }),
  PinInput: obj({ pin: str }, ['pin']),
  InvitationInput: obj({ validHours: { type: 'integer', minimum: 1, maximum: 720 }, send: { enum: ['sms', 'email'] } }, []),
  PasswordInput: obj({ password: str }, ['password']),
  TokenInput: obj({ kind: { enum: ['totp', 'hotp'] }, algorithm: { enum: ['SHA1', 'SHA256', 'SHA512'] }, digits: { enum: [6, 8] }, period: { enum: [30, 60] }, seed: { type: 'string', description: 'base32; generated when omitted' }, label: str }),
  SettingsChanges: { type: 'object', description: 'Any subset of pin, lockout, fraud, defaultMethod, otp' },
  RadiusClientInput: obj({ name: str, address: { type: 'string', description: 'IPv4/IPv6 address or CIDR' }, secret: str, firstFactor: { enum: ['none', 'local-password', 'ldap', 'radius-proxy'] }, requireMessageAuthenticator: { type: 'boolean' }, ldap: { type: 'object', description: 'urls (tried in order; or one url), timeoutMs (100-60000, default 5000), caFile (absolute path on every node), bindDnTemplate or searchBase (+ searchFilter, bindDn, bindPassword), startTls' }, upstream: { type: 'object' }, unenrolled: { enum: ['reject', 'first-factor-only'] } }, ['name', 'address', 'secret']),
  RadiusClientChanges: { type: 'object' },
  SdkCredentialInput: obj({ name: str, scopes: { type: 'array', items: { enum: ['authenticate', 'users:read', 'self-service', 'devices'] } } }, ['name', 'scopes']),
  AdministratorInput: obj({ name: str }, ['name']),
  JoinTokenInput: obj({ name: str }, ['name']),
  ClientCertificateInput: obj({ name: str }, ['name']),
  ...MIGRATION_SCHEMAS,
  Problem: obj({ type: str, title: str, status: { type: 'integer' }, code: str, detail: str, field: str, rule: str }, ['code', 'status']),
};

export function adminOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ADMIN_OPERATIONS) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: str }));
    if (op.ifMatch) params.push({ name: 'If-Match', in: 'header', required: false, schema: str });
    paths[op.path] ??= {};
    paths[op.path][op.method] = {
      summary: op.summary,
      security: [{ adminToken: [] }],
      parameters: params,
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.body}` } } } } } : {}),
      responses: {
        [op.ok]: { description: 'OK' },
        default: { description: 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Twofold admin API', version: '1' },
    paths,
    components: { schemas: SCHEMAS, securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
  };
}
