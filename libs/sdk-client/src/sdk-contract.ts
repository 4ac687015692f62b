import { z } from 'zod';

// The SDK contract: request and response shapes, shared by the server (libs/sdk) and this client.
// The server parses requests with them and generates its OpenAPI document from them; the e2e
// tests check every answer against them, so code and document cannot drift apart unnoticed.

const HANDLE = /^[A-Za-z0-9_-]{16,1024}$/;
const NO_CONTROL = /^[^\p{Cc}\p{Cf}]*$/u;

export const usernameInput = z.string().trim().toLowerCase()
  .regex(/^[a-z0-9._@-]{1,64}$/, 'must be 1 to 64 characters from a-z, 0-9, ".", "_", "@" and "-"')
  .describe('The user name (case-insensitive).');
const pinInput = z.string().regex(/^[0-9]{1,16}$/, 'must be 1 to 16 digits').describe('The user\'s PIN.');
const handleInput = (what: string) => z.string().regex(HANDLE, 'must be a handle returned by this API (base64url)').describe(what);
const applicationInput = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').regex(NO_CONTROL, 'must not contain control characters');

export const METHODS = ['totp', 'sms', 'voice', 'push'] as const;

export const StartAuthenticationRequest = z.strictObject({
  username: usernameInput,
  method: z.enum(['default', ...METHODS]).default('default').describe('"default": the user\'s own method (or the cluster default).'),
  pin: pinInput.optional().describe('The PIN, when the application asks for it up front; then the answer is the code alone. Ignored for users without a PIN.'),
  application: applicationInput.optional().describe('Shown to the user in the push, call or SMS ("Sign-in request for alice to Payroll").'),
  password: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').optional()
    .describe('The user\'s own local password, checked as the first factor before the second (a User Portal). Omitted: the application checked the first factor itself.'),
});

export const AnswerChallengeRequest = z.strictObject({
  challenge: handleInput('The challenge handle from the start call.'),
  code: z.string().regex(/^[0-9]{4,10}$/, 'must be 4 to 10 digits').describe('The one-time code the user typed.'),
  pin: pinInput.optional().describe('For users with a PIN that was not given at the start.'),
});

export const PollRequest = z.strictObject({
  handle: handleInput('The handle from the start call.'),
  waitSeconds: z.number().int('must be a whole number').min(0).max(25).default(0).describe('Long-poll: hold the request up to this long while undecided.'),
});

export const CancelRequest = z.strictObject({ handle: handleInput('The handle from the start call.') });

export const PinValidationRequest = z.strictObject({ username: usernameInput, pin: z.string().max(64, 'must be at most 64 characters') });

export const ChangePinRequest = z.strictObject({ pin: z.string().max(64, 'must be at most 64 characters').describe('The new PIN; the cluster PIN rules apply.') });

export const ChangePhoneRequest = z.strictObject({
  number: z.string().max(32, 'must be at most 32 characters').describe('E.164: "+" and 6 to 15 digits; spaces, dots, dashes and brackets are dropped.'),
  label: z.string().trim().min(1, 'must not be empty').max(32, 'must be at most 32 characters').default('mobile'),
});

export const EnrollTokenRequest = z.strictObject({ label: z.string().trim().max(64, 'must be at most 64 characters').regex(NO_CONTROL, 'must not contain control characters').default('') });

export const FraudReportRequest = z.strictObject({ reason: z.string().trim().min(1).max(200).regex(NO_CONTROL, 'must not contain control characters').optional() });

// ---- responses ----

export const REJECT_REASONS = [
  'unknown_user', 'user_disabled', 'user_locked', 'user_blocked', 'invalid_pin', 'invalid_code', 'code_replayed',
  'no_second_factor', 'invalid_state', 'delivery_failed', 'approval_denied', 'approval_timeout', 'fraud_reported',
  'approval_cancelled', 'bad_request', 'invalid_credentials', 'first_factor_unavailable',
] as const;

const time = z.string().describe('ISO-8601 UTC time');

export const Challenge = z.strictObject({
  status: z.literal('challenge'),
  challenge: z.string().describe('Opaque sealed handle; send it back with the code, to any node.'),
  method: z.enum(['totp', 'sms']).describe('"totp": a code from the user\'s OATH token or app (TOTP or HOTP).'),
  prompt: z.string().describe('What to tell the user.'),
  expiresAt: time,
});

export const Pending = z.strictObject({
  status: z.literal('pending'),
  handle: z.string().describe('Opaque sealed handle: poll or cancel with it, on any node.'),
  method: z.enum(['push', 'voice']),
  prompt: z.string(),
  expiresAt: time.describe('When the approval window closes.'),
  numberToMatch: z.number().int().optional().describe('Push: show this number to the user, who picks it on the device.'),
});

export const Accepted = z.strictObject({
  status: z.literal('accepted'),
  userId: z.string(),
  username: z.string(),
  userAssertion: z.string().describe('Proof of this sign-in for self-service calls (header X-User-Assertion), bound to this credential.'),
  userAssertionExpiresAt: time,
});

export const Rejected = z.strictObject({
  status: z.literal('rejected'),
  reason: z.enum(REJECT_REASONS),
  message: z.string().describe('What to tell the user.'),
});

export const Cancelled = z.strictObject({ status: z.literal('cancelled') });

export const StartResult = z.discriminatedUnion('status', [Challenge, Pending, Accepted, Rejected]);
export const AnswerResult = z.discriminatedUnion('status', [Accepted, Rejected]);
export const PollResult = z.discriminatedUnion('status', [Pending, Accepted, Rejected]);
export const CancelResult = z.discriminatedUnion('status', [Cancelled, Rejected]);

export const PinValidationResult = z.strictObject({
  valid: z.boolean(),
  reason: z.enum(REJECT_REASONS).optional().describe('Why not, when not valid.'),
  message: z.string().optional(),
});

const methodInfo = z.strictObject({
  method: z.enum(METHODS),
  available: z.boolean().describe('Whether the user has what the method needs (a token, a phone).'),
});

export const PublicToken = z.strictObject({
  tokenId: z.string(), kind: z.enum(['totp', 'hotp']), label: z.string(), digits: z.number().int(), createdAt: time,
});

export const UserSummary = z.strictObject({
  userId: z.string(),
  username: z.string(),
  displayName: z.string(),
  enabled: z.boolean(),
  locked: z.boolean(),
  blocked: z.boolean(),
  hasPin: z.boolean(),
  language: z.string().describe('The user\'s language from their profile ("en", "sv", ...), for pages and messages shown to them.'),
  defaultMethod: z.enum(METHODS).describe('The user\'s method, or the cluster default.'),
  methods: z.array(methodInfo),
  tokens: z.array(PublicToken).describe('OATH tokens, never their seeds.'),
  phones: z.array(z.strictObject({ label: z.string(), number: z.string().describe('Masked ("+*******0123") except for the signed-in user.') })),
});

export const TokenEnrolled = z.strictObject({
  token: PublicToken,
  otpauthUri: z.string().describe('otpauth://totp/... : shown once, for the authenticator app.'),
  qrSvg: z.string(),
  qrPngBase64: z.string(),
});

export const FraudReported = z.strictObject({ blocked: z.boolean(), blockedUntil: z.union([time, z.null()]) });

export const Problem = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string().describe('Stable machine-readable error code.'),
  detail: z.string(),
  instance: z.string().optional(),
  field: z.string().optional(),
  rule: z.string().optional(),
  issues: z.array(z.strictObject({ field: z.string().optional(), rule: z.string(), code: z.string() })).optional(),
  retryAfterSeconds: z.number().int().optional(),
});

export type StartAuthenticationRequest = z.infer<typeof StartAuthenticationRequest>;
export type StartResult = z.infer<typeof StartResult>;
export type AnswerResult = z.infer<typeof AnswerResult>;
export type PollResult = z.infer<typeof PollResult>;
export type CancelResult = z.infer<typeof CancelResult>;
export type PinValidationResult = z.infer<typeof PinValidationResult>;
export type UserSummary = z.infer<typeof UserSummary>;
export type TokenEnrolled = z.infer<typeof TokenEnrolled>;
export type FraudReported = z.infer<typeof FraudReported>;
export type Problem = z.infer<typeof Problem>;
export type RejectReasonCode = (typeof REJECT_REASONS)[number];
