import { z } from 'zod';
import { defineCommand, domainIssue } from '../commands/command';
import { expectedVersionField, idField, secretField } from '../commands/fields';
import { DomainErrorCode } from '../errors/domain-error';
import { newId } from '../shared/new-id';
import { normalizeClientAddress, parseIpAddress, parseIpRange } from '../shared/ip-address';

export const FIRST_FACTOR_MODES = ['none', 'local-password', 'ldap', 'radius-proxy'] as const;

const nameField = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');

export const addressField = z
  .string()
  .superRefine((v, ctx) => {
    const range = parseIpRange(v);
    if ('error' in range) domainIssue(ctx, DomainErrorCode.InvalidAddress, [], `Address ${range.error}.`);
  })
  .transform((v) => normalizeClientAddress(v)!);

// RFC 2865 wants the secret unguessable; 8 is our floor, 128 what RADIUS implementations carry.
const sharedSecretField = secretField(
  z.string().min(8, 'must have at least 8 characters').max(128, 'must be at most 128 characters'),
);

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const hostField = z
  .string()
  .trim()
  .refine((v) => parseIpAddress(v) !== null || HOSTNAME.test(v), 'must be a host name or an IP address');

const optionalText = z.string().trim().min(1, 'must not be empty').max(512, 'must be at most 512 characters').optional();

// Either bind directly with a DN template ("uid={username},ou=people,dc=example,dc=org") or
// search under searchBase (optionally as bindDn/bindPassword) and bind as the entry found.
// Servers: `urls` (tried in order) or, as before, one `url`; no credentials in a URL (they would be logged).
const ldapUrl = z.string().trim().regex(/^ldaps?:\/\/[^\s/@]+(\/.*)?$/i, 'must be an ldap:// or ldaps:// URL (host[:port], no user or password in it)');
const ldapField = z
  .strictObject({
    url: ldapUrl.optional(),
    urls: z.array(ldapUrl).min(1, 'must list at least one URL').max(8, 'must list at most 8 URLs').optional(),
    timeoutMs: z.number().int().min(100, 'must be at least 100').max(60000, 'must be at most 60000').optional(),
    caFile: z.string().trim().regex(/^\//, 'must be an absolute path to a PEM file').max(1024).optional(),
    bindDnTemplate: optionalText.refine((v) => v === undefined || v.includes('{username}'), 'must contain {username}'),
    searchBase: optionalText,
    searchFilter: optionalText,
    bindDn: optionalText,
    bindPassword: secretField(z.string().min(1, 'must not be empty').max(512)).optional(),
    startTls: z.boolean().optional(),
  })
  .refine((l) => l.bindDnTemplate !== undefined || l.searchBase !== undefined, {
    message: 'needs bindDnTemplate or searchBase',
  })
  .refine((l) => (l.url === undefined) !== (l.urls === undefined), { message: 'give urls (a list tried in order) or url, not both and not neither', path: ['urls'] })
  .refine((l) => !(l.startTls && [l.url, ...(l.urls ?? [])].some((u) => u && /^ldaps:/i.test(u))), { message: 'startTls is for ldap:// URLs (ldaps:// is TLS already)', path: ['startTls'] })
  .transform(({ url, urls, ...rest }) => ({ ...rest, urls: urls ?? [url!] }));

const upstreamShape = {
  host: hostField,
  port: z.number().int().min(1).max(65535).default(1812),
  secret: sharedSecretField,
  timeoutMs: z.number().int().min(100, 'must be at least 100').max(60000, 'must be at most 60000').default(5000),
};
const upstreamField = z.strictObject(upstreamShape);
// On update the upstream secret may be left out to keep the one already stored.
const upstreamUpdateField = z.strictObject({ ...upstreamShape, secret: sharedSecretField.optional() });

function requireModeOptions(
  v: { firstFactor?: string; ldap?: unknown; upstream?: unknown },
  ctx: Parameters<Parameters<z.ZodType['superRefine']>[0]>[1],
  prefix: string[] = [],
): void {
  if (v.firstFactor === 'ldap' && v.ldap === undefined) {
    domainIssue(ctx, DomainErrorCode.ValidationFailed, [...prefix, 'ldap'], 'ldap: required when firstFactor is "ldap"');
  }
  if (v.firstFactor === 'radius-proxy' && v.upstream === undefined) {
    domainIssue(ctx, DomainErrorCode.ValidationFailed, [...prefix, 'upstream'], 'upstream: required when firstFactor is "radius-proxy"');
  }
}

export const AddRadiusClient = defineCommand(
  'AddRadiusClient',
  z
    .strictObject({
      clientId: idField.default(() => newId()),
      name: nameField,
      address: addressField,
      secret: sharedSecretField,
      firstFactor: z.enum(FIRST_FACTOR_MODES).default('none'),
      // Blast-RADIUS (CVE-2024-3596): on unless a legacy client cannot send it.
      requireMessageAuthenticator: z.boolean().default(true),
      ldap: ldapField.optional(),
      upstream: upstreamField.optional(),
    })
    .superRefine((v, ctx) => requireModeOptions(v, ctx)),
);
export type AddRadiusClient = ReturnType<typeof AddRadiusClient.create>;

// Nested ldap/upstream objects are replaced whole; their secrets, when left out, are kept.
// Whether the resulting mode has its options is checked against the current state when deciding.
export const UpdateRadiusClient = defineCommand(
  'UpdateRadiusClient',
  z.strictObject({
    clientId: idField,
    changes: z
      .strictObject({
        name: nameField.optional(),
        address: addressField.optional(),
        firstFactor: z.enum(FIRST_FACTOR_MODES).optional(),
        requireMessageAuthenticator: z.boolean().optional(),
        ldap: ldapField.optional(),
        upstream: upstreamUpdateField.optional(),
      })
      .default({}),
    secret: sharedSecretField.optional(),
    expectedVersion: expectedVersionField,
  }).refine((v) => v.secret !== undefined || Object.values(v.changes).some((c) => c !== undefined), {
    message: 'must change at least one field',
    path: ['changes'],
  }),
);
export type UpdateRadiusClient = ReturnType<typeof UpdateRadiusClient.create>;

export const RemoveRadiusClient = defineCommand('RemoveRadiusClient', z.strictObject({ clientId: idField }));
export type RemoveRadiusClient = ReturnType<typeof RemoveRadiusClient.create>;
