import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Command, defineCommand, domainIssue, parseInput } from '../commands/command';
import {
  authMethodField,
  canonicalShape,
  displayNameField,
  emailField,
  expectedVersionField,
  idField,
  isCanonicalCounter,
  isCanonicalId,
  isCanonicalText,
  languageField,
  phonesField,
  reasonField,
  secretField,
  sourceField,
  usernameField,
} from '../commands/fields';
import { base32Decode } from '../crypto/base32';
import { DomainErrorCode } from '../errors/domain-error';
import { Redacted } from '../shared/redacted';
import { newId } from '../shared/new-id';
import { checkPin, PinRules } from './pin-policy';

const userId = { userId: idField };

// ---- profile ----

// userId is generated when not given, so deciding stays deterministic.
// preferredMethod, when omitted, becomes the cluster's settings.defaultMethod at decide time.
export const CreateUser = defineCommand(
  'CreateUser',
  z.strictObject({
    userId: idField.default(() => newId()),
    username: usernameField,
    displayName: displayNameField.default(''),
    email: emailField.default(null),
    phones: phonesField.default([]),
    preferredMethod: authMethodField.optional(),
    language: languageField.default('en'),
  }),
);
export type CreateUser = ReturnType<typeof CreateUser.create>;

// Username never changes (it is the identity RADIUS and ADFS send); everything else may.
export const UpdateUser = defineCommand(
  'UpdateUser',
  z.strictObject({
    ...userId,
    changes: z
      .strictObject({
        displayName: displayNameField.optional(),
        email: emailField.optional(),
        phones: phonesField.optional(),
        preferredMethod: authMethodField.optional(),
        language: languageField.optional(),
      })
      .refine((c) => Object.values(c).some((v) => v !== undefined), 'must change at least one field'),
    expectedVersion: expectedVersionField,
  }),
);
export type UpdateUser = ReturnType<typeof UpdateUser.create>;

export const DeleteUser = defineCommand('DeleteUser', z.strictObject({ ...userId }));
export type DeleteUser = ReturnType<typeof DeleteUser.create>;

// ---- secrets (the plain value is validated here; the caller hashes it with a SecretHasher) ----

const setPinSchema = z.strictObject({ ...userId, pin: z.string() });
export type SetPin = Command<'SetPin', { userId: string; pin: Redacted<string> }>;
export const SetPin = {
  type: 'SetPin' as const,
  // The PIN rules are the cluster settings' (settings.pin).
  create(input: unknown, rules: PinRules): SetPin {
    const schema = setPinSchema.superRefine((v, ctx) => {
      const broken = checkPin(v.pin, rules);
      if (broken) domainIssue(ctx, broken.code, ['pin'], broken.message);
    });
    const parsed = parseInput(schema, input);
    return Object.freeze({ type: 'SetPin', userId: parsed.userId, pin: new Redacted(parsed.pin) }) as SetPin;
  },
};

export const ClearPin = defineCommand('ClearPin', z.strictObject({ ...userId }));
export type ClearPin = ReturnType<typeof ClearPin.create>;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;
export const passwordField = z.string().superRefine((v, ctx) => {
  if (v.length < PASSWORD_MIN_LENGTH) {
    domainIssue(ctx, DomainErrorCode.PasswordTooShort, [], `Password must have at least ${PASSWORD_MIN_LENGTH} characters.`);
  } else if (v.length > PASSWORD_MAX_LENGTH) {
    domainIssue(ctx, DomainErrorCode.PasswordTooLong, [], `Password must have at most ${PASSWORD_MAX_LENGTH} characters.`);
  }
});

export const SetPassword = defineCommand('SetPassword', z.strictObject({ ...userId, password: secretField(passwordField) }));
export type SetPassword = ReturnType<typeof SetPassword.create>;

// ---- status ----

export const EnableUser = defineCommand('EnableUser', z.strictObject({ ...userId }));
export type EnableUser = ReturnType<typeof EnableUser.create>;
export const DisableUser = defineCommand('DisableUser', z.strictObject({ ...userId }));
export type DisableUser = ReturnType<typeof DisableUser.create>;

// An administrator's lock: until unlocked, or for `minutes` when given.
export const LockUser = defineCommand(
  'LockUser',
  z.strictObject({
    ...userId,
    reason: reasonField.default('locked by an administrator'),
    minutes: z.number().int().min(1).max(525600).optional(),
  }),
);
export type LockUser = ReturnType<typeof LockUser.create>;
export const UnlockUser = defineCommand('UnlockUser', z.strictObject({ ...userId }));
export type UnlockUser = ReturnType<typeof UnlockUser.create>;

export const BlockUserForFraud = defineCommand(
  'BlockUserForFraud',
  z.strictObject({ ...userId, reason: reasonField.default('fraud reported') }),
);
export type BlockUserForFraud = ReturnType<typeof BlockUserForFraud.create>;
export const UnblockUser = defineCommand('UnblockUser', z.strictObject({ ...userId }));
export type UnblockUser = ReturnType<typeof UnblockUser.create>;

// ---- OATH tokens ----

export const MAX_OATH_TOKENS = 10;
// RFC 4226: at least 128 bits of shared secret; 160 recommended (what we generate).
export const SEED_MIN_BYTES = 16;
export const SEED_MAX_BYTES = 64;
export const GENERATED_SEED_BYTES = 20;

const seedField = z
  .string()
  .optional()
  .superRefine((v, ctx) => {
    if (v === undefined) return;
    let bytes: Buffer;
    try {
      bytes = base32Decode(v);
    } catch {
      domainIssue(ctx, DomainErrorCode.InvalidSeed, [], 'Seed must be base32 (A-Z, 2-7).');
      return;
    }
    if (bytes.length < SEED_MIN_BYTES || bytes.length > SEED_MAX_BYTES) {
      domainIssue(ctx, DomainErrorCode.InvalidSeed, [], `Seed must decode to ${SEED_MIN_BYTES} to ${SEED_MAX_BYTES} bytes.`);
    }
  })
  .transform((v) => new Redacted(v === undefined ? randomBytes(GENERATED_SEED_BYTES) : base32Decode(v)));

// seed: base32 text, or omitted to generate 20 random bytes. Read `command.seed.reveal()`
// to show the new seed once (otpauth:// URI); the event carries it sealed.
export const AssignOathToken = defineCommand(
  'AssignOathToken',
  z.strictObject({
    ...userId,
    tokenId: idField.default(() => newId()),
    kind: z.enum(['totp', 'hotp']).default('totp'),
    algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']).default('SHA1'),
    digits: z.union([z.literal(6), z.literal(8)], { error: 'must be 6 or 8' }).default(6),
    period: z.union([z.literal(30), z.literal(60)], { error: 'must be 30 or 60' }).default(30),
    counter: z.number().int().min(0).default(0),
    seed: seedField,
    label: z.string().trim().max(64, 'must be at most 64 characters').default(''),
  }),
);
export type AssignOathToken = ReturnType<typeof AssignOathToken.create>;

export const RemoveOathToken = defineCommand('RemoveOathToken', z.strictObject({ ...userId, tokenId: idField }));
export type RemoveOathToken = ReturnType<typeof RemoveOathToken.create>;

// counter: the TOTP time step or HOTP counter of the accepted code.
export const RecordOathCodeUsed = defineCommand(
  'RecordOathCodeUsed',
  z.strictObject({ ...userId, tokenId: idField, counter: z.number().int().min(0) }),
  canonicalShape({ userId: isCanonicalId, tokenId: isCanonicalId, counter: isCanonicalCounter }),
);
export type RecordOathCodeUsed = ReturnType<typeof RecordOathCodeUsed.create>;

// nonce: the challenge's; expiresAt: when the challenge would have expired anyway (ISO-8601).
export const RecordChallengeConsumed = defineCommand(
  'RecordChallengeConsumed',
  z.strictObject({ ...userId, nonce: z.string().min(8).max(64), expiresAt: z.string().datetime() }),
);
export type RecordChallengeConsumed = ReturnType<typeof RecordChallengeConsumed.create>;

// ---- authentication outcomes ----

// source: where it happened, e.g. "radius:<clientId>", "sdk:<credentialId>", "portal".
export const RecordFailedAuthentication = defineCommand(
  'RecordFailedAuthentication',
  z.strictObject({ ...userId, reason: reasonField, source: sourceField }),
  canonicalShape({ userId: isCanonicalId, reason: isCanonicalText(256), source: isCanonicalText(128) }),
);
export type RecordFailedAuthentication = ReturnType<typeof RecordFailedAuthentication.create>;

export const RecordSuccessfulAuthentication = defineCommand(
  'RecordSuccessfulAuthentication',
  z.strictObject({ ...userId, source: sourceField }),
  canonicalShape({ userId: isCanonicalId, source: isCanonicalText(128) }),
);
export type RecordSuccessfulAuthentication = ReturnType<typeof RecordSuccessfulAuthentication.create>;

export type UserCommand =
  | CreateUser | UpdateUser | DeleteUser | SetPin | ClearPin | SetPassword | EnableUser | DisableUser
  | LockUser | UnlockUser | BlockUserForFraud | UnblockUser | AssignOathToken | RemoveOathToken
  | RecordOathCodeUsed | RecordFailedAuthentication | RecordSuccessfulAuthentication;
