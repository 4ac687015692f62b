import { z } from 'zod';
import { AuthMethod } from '../users/user.events';
import { Redacted } from '../shared/redacted';

// Field schemas shared by commands: each normalises and states its rule in words.

export const AUTH_METHODS = ['totp', 'sms', 'voice', 'push'] as const satisfies readonly AuthMethod[];

export const idField = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 characters from A-Z, a-z, 0-9, ".", "_" and "-"');

export const USERNAME_RULE = 'must be 1 to 64 characters from a-z, 0-9, ".", "_", "@" and "-"';
// How a username is compared everywhere (commands, the read model, sign-in, the CLI): the same
// normalisation usernameField applies (kept as zod's own trim/toLowerCase so the schema stays
// describable in OpenAPI).
export function normalizeUsername(raw: string): string {
  return raw.trim().toLowerCase();
}
export const usernameField = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._@-]{1,64}$/, USERNAME_RULE);

export const displayNameField = z.string().trim().max(128, 'must be at most 128 characters');

// Empty or missing e-mail means "none".
export const emailField = z
  .union([z.string().trim().toLowerCase(), z.null()])
  .transform((v) => (v === '' ? null : v))
  .pipe(z.union([z.null(), z.email('must be an e-mail address like name@example.com')]));

// E.164-ish: a leading "+" and 6 to 15 digits; spaces, dots, dashes and brackets are dropped.
export const PHONE_RULE = 'must be "+" followed by 6 to 15 digits (E.164)';
export const phoneNumberField = z
  .string()
  .transform((v) => v.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+[0-9]{6,15}$/, PHONE_RULE));

export const phoneField = z.strictObject({
  label: z.string().trim().min(1, 'must not be empty').max(32, 'must be at most 32 characters').default('mobile'),
  number: phoneNumberField,
});
export const phonesField = z.array(phoneField).max(5, 'must list at most 5 phone numbers');

export const authMethodField = z.enum(AUTH_METHODS);

// "en", "en-GB" (case-normalised: "EN-gb" becomes "en-GB").
export const LANGUAGE_RULE = 'must be a language tag like "en" or "en-GB"';
export const languageField = z
  .string()
  .trim()
  .transform((v) => {
    const [lang, region] = v.split('-');
    return region === undefined ? lang.toLowerCase() : `${lang.toLowerCase()}-${region.toUpperCase()}`;
  })
  .pipe(z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, LANGUAGE_RULE));

export const reasonField = z.string().trim().min(1, 'must not be empty').max(256, 'must be at most 256 characters');
export const sourceField = z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

export const expectedVersionField = z.number().int().min(0).optional();

// A plain secret kept out of logs from the moment it is parsed.
export function secretField(schema: z.ZodType<string>) {
  return schema.transform((v) => new Redacted(v));
}

// ---- canonical inputs (defineCommand's `canonical`): values the fields above return unchanged ----
// Each check accepts a subset of what its field accepts unchanged; anything else takes the schema.

const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const isCanonicalId = (v: unknown): boolean => typeof v === 'string' && ID_PATTERN.test(v);
// A trimmed, non-empty text of at most `max` characters (reasonField: 256, sourceField: 128).
export const isCanonicalText = (max: number) => (v: unknown): boolean =>
  typeof v === 'string' && v.length >= 1 && v.length <= max && v.trim().length === v.length;
export const isCanonicalCounter = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

// A plain object with exactly these keys, each passing its check (a strictObject of those fields).
export function canonicalShape(checks: Record<string, (v: unknown) => boolean>): (input: unknown) => boolean {
  const keys = Object.keys(checks);
  return (input) => {
    if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype) return false;
    const o = input as Record<string, unknown>;
    let n = 0;
    for (const k in o) {
      if (!Object.hasOwn(checks, k)) return false;
      n++;
    }
    if (n !== keys.length) return false;
    for (const k of keys) if (!checks[k](o[k])) return false;
    return true;
  };
}
