import { z } from 'zod';

// The Mobile App Web Service: device activation and push approvals. Devices sign what they send
// (ECDSA P-256 over SHA-256, DER, base64url); the texts they sign are in @twofold/domain
// (devicePollMessage, deviceAnswerMessage).

const time = z.string().describe('ISO-8601 UTC time');
const NO_CONTROL = /^[^\p{Cc}\p{Cf}]*$/u;
const b64url = (max: number, what: string) => z.string().regex(new RegExp(`^[A-Za-z0-9_-]{1,${max}}$`), `must be ${what} (base64url, at most ${max} characters)`);

export const DeviceActivationIssued = z.strictObject({
  activationCode: z.string().describe('Short code to type into the app (ABCD-EFGH-JK); one use.'),
  expiresAt: time,
});

export const DeviceSummary = z.strictObject({ deviceId: z.string(), name: z.string(), activatedAt: time });
export const DeviceList = z.strictObject({ devices: z.array(DeviceSummary) });

export const ActivateDeviceRequest = z.strictObject({
  activationCode: z.string().max(32, 'must be at most 32 characters'),
  name: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').regex(NO_CONTROL, 'must not contain control characters'),
  publicKey: b64url(400, 'a P-256 public key, SPKI DER'),
  pushAddress: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(512, 'must be at most 512 characters').nullable().optional(),
});
export const DeviceActivated = z.strictObject({ deviceId: z.string(), username: z.string() });

export const PendingApproval = z.strictObject({
  approvalId: z.string().describe('Sealed approval id: sign your answer over it.'),
  application: z.string().nullable(),
  from: z.string().nullable().describe('Where the sign-in comes from ("radius:<client>", "sdk:<credential>").'),
  requestedAt: time,
  expiresAt: time,
  numberChoices: z.array(z.number().int()).describe('Three numbers, one of which the sign-in shows; empty when the sign-in shows none (RADIUS).'),
});
export const DeviceApprovals = z.strictObject({ approvals: z.array(PendingApproval) });

export const DeviceAnswerRequest = z.strictObject({
  approvalId: b64url(1024, 'an approval id from the poll'),
  decision: z.enum(['approve', 'deny']),
  notMe: z.boolean().optional(),
  number: z.number().int().min(0).max(99).optional(),
  signature: b64url(200, 'a DER ECDSA signature'),
});
export const DeviceAnswerResult = z.strictObject({
  decision: z.enum(['approved', 'denied', 'fraud']),
  reason: z.enum(['number_mismatch']).optional().describe('Why an approve was recorded as denied.'),
});

export type DeviceActivationIssued = z.infer<typeof DeviceActivationIssued>;
export type DeviceList = z.infer<typeof DeviceList>;
export type ActivateDeviceRequest = z.infer<typeof ActivateDeviceRequest>;
export type DeviceActivated = z.infer<typeof DeviceActivated>;
export type PendingApproval = z.infer<typeof PendingApproval>;
export type DeviceApprovals = z.infer<typeof DeviceApprovals>;
export type DeviceAnswerRequest = z.infer<typeof DeviceAnswerRequest>;
export type DeviceAnswerResult = z.infer<typeof DeviceAnswerResult>;
