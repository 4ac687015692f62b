import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defineCommand } from '../commands/command';
import { idField } from '../commands/fields';
import { SdkScope } from './sdk-credential.events';
import { Redacted } from '../shared/redacted';
import { newId } from '../shared/new-id';

export const SDK_SCOPES = ['authenticate', 'users:read', 'self-service', 'devices'] as const satisfies readonly SdkScope[];

// SHA-256 of the client certificate, hex; "AB:CD:..." is accepted and normalised.
const fingerprintField = z
  .string()
  .transform((v) => v.replace(/[\s:]/g, '').toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 fingerprint (64 hex digits)'));

// The API secret is generated here (32 random bytes, base64url): show `secret.reveal()` to the
// administrator once, store only SecretHasher.hash(secret) via the decide context.
export const IssueSdkCredential = defineCommand(
  'IssueSdkCredential',
  z
    .strictObject({
      credentialId: idField.default(() => newId()),
      name: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
      scopes: z.array(z.enum(SDK_SCOPES)).min(1, 'must list at least one scope').transform((s) => [...new Set(s)]),
      certificateFingerprint: z.union([fingerprintField, z.null()]).default(null),
    })
    .transform((v) => ({ ...v, secret: new Redacted(randomBytes(32).toString('base64url')) })),
);
export type IssueSdkCredential = ReturnType<typeof IssueSdkCredential.create>;

export const RevokeSdkCredential = defineCommand('RevokeSdkCredential', z.strictObject({ credentialId: idField }));
export type RevokeSdkCredential = ReturnType<typeof RevokeSdkCredential.create>;
