import { z } from 'zod';
import { PublicToken } from './sdk-contract';

// Self-service calls a portal needs beyond the first set: a TOTP enrolment that becomes a token
// only after the user typed one correct code, and the user's own recent activity.

const NO_CONTROL = /^[^\p{Cc}\p{Cf}]*$/u;
const time = z.string().describe('ISO-8601 UTC time');

export const BeginTokenEnrolmentRequest = z.strictObject({
  label: z.string().trim().max(64, 'must be at most 64 characters').regex(NO_CONTROL, 'must not contain control characters').default(''),
});

export const TokenEnrolmentStarted = z.strictObject({
  enrolment: z.string().describe('Opaque sealed handle holding the new seed; send it back with a code, to any node. Nothing is recorded until then.'),
  secret: z.string().describe('The seed in base32, for typing into an authenticator app by hand.'),
  otpauthUri: z.string(),
  qrSvg: z.string(),
  expiresAt: time,
});

export const ConfirmTokenEnrolmentRequest = z.strictObject({
  enrolment: z.string().regex(/^[A-Za-z0-9_-]{16,2048}$/, 'must be a handle returned by this API (base64url)'),
  code: z.string().regex(/^[0-9]{6}$/, 'must be 6 digits').describe('A code the authenticator app shows now.'),
});

export const TokenConfirmed = z.strictObject({ token: PublicToken });

export const ACTIVITY_KINDS = [
  'signed_in', 'sign_in_failed', 'locked_out', 'unlocked', 'blocked', 'unblocked', 'enabled', 'disabled',
  'pin_changed', 'pin_removed', 'password_changed', 'token_added', 'token_removed', 'contact_changed', 'profile_changed',
] as const;

export const ActivityEntry = z.strictObject({
  at: time,
  kind: z.enum(ACTIVITY_KINDS),
  where: z.string().describe('What it came through ("radius:<client>", "sdk:<credential>", "admin:<id>").'),
  node: z.string().describe('The node that recorded it.'),
});

export const Activity = z.strictObject({ entries: z.array(ActivityEntry).describe('Newest first, at most 50.') });

export type TokenEnrolmentStarted = z.infer<typeof TokenEnrolmentStarted>;
export type TokenConfirmed = z.infer<typeof TokenConfirmed>;
export type Activity = z.infer<typeof Activity>;
export type ActivityEntry = z.infer<typeof ActivityEntry>;

// A new phone number, confirmed by a code sent to it before it is recorded.
export const BeginPhoneChangeRequest = z.strictObject({
  number: z.string().max(32, 'must be at most 32 characters').describe('E.164: "+" and 6 to 15 digits; spaces, dots, dashes and brackets are dropped.'),
  label: z.string().trim().min(1, 'must not be empty').max(32, 'must be at most 32 characters').default('mobile'),
});

export const PhoneChangeStarted = z.strictObject({
  change: z.string().describe('Opaque sealed handle (the number and a hash of the code); send it back with the code, to any node. Nothing is recorded until then.'),
  number: z.string().describe('The number the code was sent to, as it will be recorded.'),
  expiresAt: time,
});

export const ConfirmPhoneChangeRequest = z.strictObject({
  change: z.string().regex(/^[A-Za-z0-9_-]{16,2048}$/, 'must be a handle returned by this API (base64url)'),
  code: z.string().regex(/^[0-9]{6}$/, 'must be 6 digits').describe('The code sent to the new number.'),
});

export type PhoneChangeStarted = z.infer<typeof PhoneChangeStarted>;

// First sign-in with an invitation (no second factor yet): the first factor and the one-time code.
export const RedeemInvitationRequest = z.strictObject({
  username: z.string().trim().toLowerCase().regex(/^[a-z0-9._@-]{1,64}$/, 'must be 1 to 64 characters from a-z, 0-9, ".", "_", "@" and "-"'),
  password: z.string().max(256, 'must be at most 256 characters').describe('The user\'s local password (first factor).'),
  code: z.string().max(40, 'must be at most 40 characters').describe('The invitation code, "ABCDEFGH-IJKLMNOPQRSTUVWX".'),
});
