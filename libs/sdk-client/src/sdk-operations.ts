import type { z } from 'zod';
import * as c from './sdk-contract';
import * as e from './sdk-contract-enrolment';
import * as d from './sdk-contract-devices';

export type SdkScope = 'authenticate' | 'users:read' | 'self-service' | 'devices';
export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

export interface SdkOperation {
  operationId: string;
  method: HttpMethod;
  path: string; // OpenAPI form: /sdk/v1/users/{username}
  summary: string;
  scope: SdkScope | null; // null: no credential needed
  userAssertion?: boolean; // needs X-User-Assertion (self-service)
  request?: { name: string; schema: z.ZodType };
  response: { status: number; name?: string; schema?: z.ZodType; example?: unknown };
  errors: number[];
}

const COMMON = [400, 401, 403, 413, 415, 429];

// Every route of /sdk/v1. The server's controllers are checked against this list by a test.
export const SDK_OPERATIONS: SdkOperation[] = [
  {
    operationId: 'startAuthentication', method: 'post', path: '/sdk/v1/authentications', scope: 'authenticate',
    summary: 'Start a second-factor authentication: a challenge for codes (TOTP, SMS), a handle to poll for push and voice',
    request: { name: 'StartAuthenticationRequest', schema: c.StartAuthenticationRequest },
    response: {
      status: 200, name: 'StartResult', schema: c.StartResult,
      example: { status: 'challenge', challenge: 'AQhjMWE0YjJm...', method: 'totp', prompt: 'Enter the code from your authenticator app.', expiresAt: '2025-06-01T12:05:00.000Z' },
    },
    errors: [...COMMON, 503],
  },
  {
    operationId: 'answerChallenge', method: 'post', path: '/sdk/v1/authentications/answer', scope: 'authenticate',
    summary: 'Answer a challenge with the code the user typed',
    request: { name: 'AnswerChallengeRequest', schema: c.AnswerChallengeRequest },
    response: {
      status: 200, name: 'AnswerResult', schema: c.AnswerResult,
      example: { status: 'accepted', userId: '0b6a3a52-2b8e-4c36-9f7e-1f5d2f8c1a11', username: 'alice', userAssertion: 'AQhjMWE0YjJm...', userAssertionExpiresAt: '2025-06-01T12:10:00.000Z' },
    },
    errors: [...COMMON, 503],
  },
  {
    operationId: 'pollAuthentication', method: 'post', path: '/sdk/v1/authentications/poll', scope: 'authenticate',
    summary: 'Poll a push or voice authentication (long-poll with waitSeconds)',
    request: { name: 'PollRequest', schema: c.PollRequest },
    response: {
      status: 200, name: 'PollResult', schema: c.PollResult,
      example: { status: 'pending', handle: 'AQhjMWE0YjJm...', method: 'push', prompt: 'Waiting for the approval on your phone.', expiresAt: '2025-06-01T12:02:00.000Z' },
    },
    errors: [...COMMON, 503],
  },
  {
    operationId: 'cancelAuthentication', method: 'post', path: '/sdk/v1/authentications/cancel', scope: 'authenticate',
    summary: 'Cancel a push or voice authentication; a later approval has no effect',
    request: { name: 'CancelRequest', schema: c.CancelRequest },
    response: { status: 200, name: 'CancelResult', schema: c.CancelResult, example: { status: 'cancelled' } },
    errors: [...COMMON, 409, 503],
  },
  {
    operationId: 'redeemInvitation', method: 'post', path: '/sdk/v1/invitations/redeem', scope: 'authenticate',
    summary: 'Sign in once with an invitation code and the first factor (for a user with no second factor yet); the code then is spent in the whole cluster',
    request: { name: 'RedeemInvitationRequest', schema: e.RedeemInvitationRequest },
    response: { status: 200, name: 'AnswerResult', schema: c.AnswerResult },
    errors: [...COMMON, 503],
  },
  {
    operationId: 'validatePin', method: 'post', path: '/sdk/v1/pin-validations', scope: 'authenticate',
    summary: 'Check a user\'s PIN on its own; a wrong PIN counts toward the lockout',
    request: { name: 'PinValidationRequest', schema: c.PinValidationRequest },
    response: { status: 200, name: 'PinValidationResult', schema: c.PinValidationResult, example: { valid: false, reason: 'invalid_pin', message: 'Authentication failed.' } },
    errors: [...COMMON, 503],
  },
  {
    operationId: 'getUser', method: 'get', path: '/sdk/v1/users/{username}', scope: 'users:read',
    summary: 'Look up a user and their methods (no secrets; phone numbers masked)',
    response: {
      status: 200, name: 'UserSummary', schema: c.UserSummary,
      example: {
        userId: '0b6a3a52-2b8e-4c36-9f7e-1f5d2f8c1a11', username: 'alice', displayName: 'Alice', enabled: true, locked: false, blocked: false, hasPin: true, language: 'en',
        defaultMethod: 'totp', methods: [{ method: 'totp', available: true }, { method: 'sms', available: true }, { method: 'voice', available: true }, { method: 'push', available: true }],
        tokens: [{ tokenId: 't-1', kind: 'totp', label: 'phone', digits: 6, createdAt: '2025-06-01T12:00:00.000Z' }],
        phones: [{ label: 'mobile', number: '+*******0123' }],
      },
    },
    errors: [400, 401, 403, 404, 429],
  },
  {
    operationId: 'getSelf', method: 'get', path: '/sdk/v1/self-service/me', scope: 'self-service', userAssertion: true,
    summary: 'The signed-in user, with their own phone numbers',
    response: { status: 200, name: 'UserSummary', schema: c.UserSummary },
    errors: [401, 403, 404, 429],
  },
  {
    operationId: 'changePin', method: 'put', path: '/sdk/v1/self-service/pin', scope: 'self-service', userAssertion: true,
    summary: 'Change the signed-in user\'s PIN',
    request: { name: 'ChangePinRequest', schema: c.ChangePinRequest },
    response: { status: 204 },
    errors: [...COMMON, 404, 503],
  },
  {
    operationId: 'changePhone', method: 'put', path: '/sdk/v1/self-service/phone', scope: 'self-service', userAssertion: true,
    summary: 'Change the signed-in user\'s primary phone number',
    request: { name: 'ChangePhoneRequest', schema: c.ChangePhoneRequest },
    response: { status: 200, name: 'UserSummary', schema: c.UserSummary },
    errors: [...COMMON, 404, 503],
  },
  {
    operationId: 'enrollToken', method: 'post', path: '/sdk/v1/self-service/tokens', scope: 'self-service', userAssertion: true,
    summary: 'Enroll a TOTP token for the signed-in user; the otpauth URI and QR code are returned once',
    request: { name: 'EnrollTokenRequest', schema: c.EnrollTokenRequest },
    response: { status: 201, name: 'TokenEnrolled', schema: c.TokenEnrolled },
    errors: [...COMMON, 404, 503],
  },
  {
    operationId: 'beginTokenEnrolment', method: 'post', path: '/sdk/v1/self-service/token-enrolments', scope: 'self-service', userAssertion: true,
    summary: 'Start enrolling a TOTP token: a new seed (QR code and text), sealed in a handle; nothing is recorded until a code confirms it',
    request: { name: 'BeginTokenEnrolmentRequest', schema: e.BeginTokenEnrolmentRequest },
    response: { status: 201, name: 'TokenEnrolmentStarted', schema: e.TokenEnrolmentStarted },
    errors: [...COMMON, 404],
  },
  {
    operationId: 'confirmTokenEnrolment', method: 'post', path: '/sdk/v1/self-service/token-enrolments/confirm', scope: 'self-service', userAssertion: true,
    summary: 'Finish an enrolment with one correct code from the app: the token is recorded (once) and works from then on',
    request: { name: 'ConfirmTokenEnrolmentRequest', schema: e.ConfirmTokenEnrolmentRequest },
    response: { status: 201, name: 'TokenConfirmed', schema: e.TokenConfirmed },
    errors: [...COMMON, 404, 409, 503],
  },
  {
    operationId: 'beginPhoneChange', method: 'post', path: '/sdk/v1/self-service/phone-changes', scope: 'self-service', userAssertion: true,
    summary: 'Send a code to a new phone number; the number is recorded only when the code comes back',
    request: { name: 'BeginPhoneChangeRequest', schema: e.BeginPhoneChangeRequest },
    response: { status: 201, name: 'PhoneChangeStarted', schema: e.PhoneChangeStarted },
    errors: [...COMMON, 404, 503],
  },
  {
    operationId: 'confirmPhoneChange', method: 'post', path: '/sdk/v1/self-service/phone-changes/confirm', scope: 'self-service', userAssertion: true,
    summary: 'Record the new number as the primary phone, with the code that was sent to it (once)',
    request: { name: 'ConfirmPhoneChangeRequest', schema: e.ConfirmPhoneChangeRequest },
    response: { status: 200, name: 'UserSummary', schema: c.UserSummary },
    errors: [...COMMON, 404, 409, 503],
  },
  {
    operationId: 'getActivity', method: 'get', path: '/sdk/v1/self-service/activity', scope: 'self-service', userAssertion: true,
    summary: 'The signed-in user\'s own recent sign-ins and changes (time, what, where from, node)',
    response: { status: 200, name: 'Activity', schema: e.Activity },
    errors: [401, 403, 404, 429],
  },
  {
    operationId: 'removeToken', method: 'delete', path: '/sdk/v1/self-service/tokens/{tokenId}', scope: 'self-service', userAssertion: true,
    summary: 'Remove one of the signed-in user\'s tokens',
    response: { status: 204 },
    errors: [400, 401, 403, 404, 429, 503],
  },
  {
    operationId: 'reportFraud', method: 'post', path: '/sdk/v1/self-service/fraud-reports', scope: 'self-service', userAssertion: true,
    summary: 'The signed-in user reports a sign-in they did not make (blocks the account when the settings say so)',
    request: { name: 'FraudReportRequest', schema: c.FraudReportRequest },
    response: { status: 200, name: 'FraudReported', schema: c.FraudReported, example: { blocked: true, blockedUntil: '2025-06-01T13:00:00.000Z' } },
    errors: [...COMMON, 404, 503],
  },
  {
    operationId: 'issueDeviceActivation', method: 'post', path: '/sdk/v1/self-service/device-activations', scope: 'self-service', userAssertion: true,
    summary: 'A one-use activation code for the signed-in user\'s mobile app (the portal shows it as a QR code and as text)',
    response: { status: 201, name: 'DeviceActivationIssued', schema: d.DeviceActivationIssued, example: { activationCode: 'ABCD-EFGH-JK', expiresAt: '2025-06-01T12:10:00.000Z' } },
    errors: [400, 401, 403, 429, 503],
  },
  {
    operationId: 'listOwnDevices', method: 'get', path: '/sdk/v1/self-service/devices', scope: 'self-service', userAssertion: true,
    summary: 'The signed-in user\'s activated devices',
    response: { status: 200, name: 'DeviceList', schema: d.DeviceList },
    errors: [400, 401, 403, 429],
  },
  {
    operationId: 'removeOwnDevice', method: 'delete', path: '/sdk/v1/self-service/devices/{deviceId}', scope: 'self-service', userAssertion: true,
    summary: 'Remove one of the signed-in user\'s devices',
    response: { status: 204 },
    errors: [400, 401, 403, 404, 429, 503],
  },
  {
    operationId: 'activateDevice', method: 'post', path: '/sdk/v1/devices/activations', scope: 'devices',
    summary: 'A device activates with a code and its P-256 public key',
    request: { name: 'ActivateDeviceRequest', schema: d.ActivateDeviceRequest },
    response: { status: 201, name: 'DeviceActivated', schema: d.DeviceActivated, example: { deviceId: '0b6a3a52-2b8e-4c36-9f7e-1f5d2f8c1a11', username: 'alice' } },
    errors: [...COMMON, 503],
  },
  {
    operationId: 'pollDeviceApprovals', method: 'get', path: '/sdk/v1/devices/{deviceId}/approvals', scope: 'devices',
    summary: 'Long-poll the push sign-ins waiting for this device (signed: X-Device-Time and X-Device-Signature)',
    response: { status: 200, name: 'DeviceApprovals', schema: d.DeviceApprovals },
    errors: [400, 401, 403, 404, 429],
  },
  {
    operationId: 'answerDeviceApproval', method: 'post', path: '/sdk/v1/devices/{deviceId}/approvals/answer', scope: 'devices',
    summary: 'Approve or deny a push sign-in, signed with the device key; deny with notMe reports fraud',
    request: { name: 'DeviceAnswerRequest', schema: d.DeviceAnswerRequest },
    response: { status: 200, name: 'DeviceAnswerResult', schema: d.DeviceAnswerResult, example: { decision: 'approved' } },
    errors: [...COMMON, 404, 409, 410, 503],
  },
  {
    operationId: 'getOpenApi', method: 'get', path: '/sdk/v1/openapi.json', scope: null,
    summary: 'This document',
    response: { status: 200 },
    errors: [],
  },
];

export function sdkOperation(operationId: string): SdkOperation {
  const op = SDK_OPERATIONS.find((o) => o.operationId === operationId);
  if (!op) throw new Error(`no SDK operation ${operationId}`);
  return op;
}
