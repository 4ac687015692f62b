import type { DeliveryProvider } from '../delivery/delivery-provider';
import type { StateSealer } from '../sealed-state/state-sealer';
import type {
  ApprovalWaiter, EngineClient, EngineLogger, PasswordVerifier, SecondFactorMethod, SecurityOutcomeRecorder, SeedOpener, UserDirectory,
} from './engine.ports';
import type { PendingOutcome } from './out-of-band-polling';
import type { SendLimit } from './send-limit';

export type RejectReason =
  | 'bad_request'
  | 'unknown_user'
  | 'user_disabled'
  | 'user_locked'
  | 'user_blocked'
  | 'invalid_credentials'
  | 'invalid_pin'
  | 'invalid_code'
  | 'code_replayed'
  | 'first_factor_unavailable'
  | 'no_second_factor'
  | 'invalid_state'
  | 'delivery_failed'
  | 'approval_denied'
  | 'approval_timeout'
  | 'fraud_reported'
  | 'approval_cancelled'
  | 'rate_limited'
  | 'internal_error';

export type ChallengeMethod = 'oath' | 'sms';

export type AuthOutcome =
  | { kind: 'accept'; userId: string; username: string }
  // `state` goes back to the caller verbatim (RADIUS State, or base64url in the SDK).
  | { kind: 'challenge'; userId: string; state: Buffer; prompt: string; method: ChallengeMethod; expiresAt: number }
  | { kind: 'reject'; reason: RejectReason; message: string; userId?: string };

export interface AuthenticateInput {
  username: string;
  password?: string;
  client: EngineClient;
  source: string; // "radius:<clientId>", "sdk:<credentialId>": goes into the security events
  // SDK: a method other than the user's default, the PIN up front, the application named to the user.
  method?: SecondFactorMethod;
  pin?: string;
  application?: string;
  // Asked before an SMS, call or push is sent for this request (RADIUS: per-user send limit).
  sendLimit?: SendLimit;
}

// What start() answers: an AuthOutcome, or a handle to poll for push and voice.
export type StartOutcome = AuthOutcome | PendingOutcome;

export interface StartOptions {
  // How long the user has to approve a polled push/voice request.
  approvalWindowMs?: number;
}

export interface CheckPinInput {
  username: string;
  pin: string;
  client: EngineClient;
  source: string;
}

// A sign-in on the first factor alone, completed by a step the caller checks itself.
export interface FirstFactorSignInInput {
  username: string;
  password: string;
  client: EngineClient;
  source: string;
}

// The caller's step failed: why, in the user's words when given; `counts: false` when it is no
// failed attempt (nothing recorded, e.g. an invitation used already).
export interface FailedStep {
  reason: RejectReason;
  message?: string;
  counts?: boolean;
}

export interface AnswerChallengeInput {
  state: Buffer | string;
  response: string;
  // When the transport sends the user name again (RADIUS does), it must name the state's user.
  username?: string;
  client: EngineClient;
  source: string;
}

export interface AuthenticationEngineDeps {
  directory: UserDirectory;
  security: SecurityOutcomeRecorder;
  openSeed: SeedOpener;
  hasher: PasswordVerifier;
  sealer: StateSealer;
  delivery: DeliveryProvider;
  approvals: ApprovalWaiter;
  clock?: () => number;
  // How long an out-of-band approval may hold the request; keep it below the clients' time-out.
  outOfBandTimeoutMs?: number;
  hotpLookAhead?: number;
  logger?: EngineLogger;
}

export const CHALLENGE_PURPOSE = 'challenge';
// HOTP codes ahead of the stored counter that are still accepted (the master checks upstream counters against it too).
export const DEFAULT_HOTP_LOOK_AHEAD = 10;
export const APPROVAL_PURPOSE = 'oob-approval';
