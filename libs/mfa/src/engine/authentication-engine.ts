import { canAuthenticate, DomainErrorCode, isLockedOut, SealContext, Settings, UserState } from '@twofold/domain';
import { DeliveryProvider } from '../delivery/delivery-provider';
import { generateNumericOtp } from '../oath/numeric-otp';
import { verifyHotp, verifyTotp, OathDigits, TotpPeriod } from '../oath/oath';
import { hashOtpForState, verifyOtpForState } from '../sealed-state/otp-hash';
import { createStateNonce, StateSealer } from '../sealed-state/state-sealer';
import {
  ApprovalWaiter, EngineClient, EngineLogger, OathTokenForCheck, PasswordVerifier, SecondFactorMethod, SecurityEventRecorder, SeedOpener, UserDirectory,
} from './engine.ports';
import { CancelInput, CancelOutcome, OutOfBandPolling, PendingOutcome, PollInput } from './out-of-band-polling';
import { SendLimit, sendLimitedMessage } from './send-limit';
import { ChallengeRef, challengeRef, isChallengeConsumed, isChallengeReplay, isCodeReplay } from './challenge-once';
import { waiveSecondFactor } from './second-factor-waiver';

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
  security: SecurityEventRecorder;
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

// What the user reads (RADIUS Reply-Message, SDK message). Failures of a secret all read the same.
const MESSAGES: Record<RejectReason, string> = {
  bad_request: 'Authentication failed.',
  unknown_user: 'Authentication failed.',
  user_disabled: 'Your account is disabled. Contact your administrator.',
  user_locked: 'Your account is locked after too many failed sign-in attempts. Try again later.',
  user_blocked: 'Your account is blocked after a fraud report. Contact your administrator.',
  invalid_credentials: 'Authentication failed.',
  invalid_pin: 'Authentication failed.',
  invalid_code: 'Authentication failed.',
  code_replayed: 'This code has already been used. Wait for the next code and try again.',
  first_factor_unavailable: 'Your password cannot be checked right now. Try again later.',
  no_second_factor: 'No second factor is set up for your account. Contact your administrator.',
  invalid_state: 'The sign-in has expired or is not valid. Start again.',
  delivery_failed: 'The verification request could not be sent. Try again later.',
  approval_denied: 'The sign-in was denied.',
  approval_timeout: 'The sign-in was not approved in time.',
  fraud_reported: 'Fraud was reported for this sign-in; your account is blocked. Contact your administrator.',
  approval_cancelled: 'The sign-in was cancelled.',
  rate_limited: sendLimitedMessage(60),
  internal_error: 'Authentication is temporarily unavailable. Try again later.',
};

// Reasons written into AuthenticationFailed events: describe what failed, never the value.
const FAILURE_TEXT: Partial<Record<RejectReason, string>> = {
  invalid_credentials: 'wrong password',
  invalid_pin: 'wrong PIN',
  invalid_code: 'wrong one-time code',
  code_replayed: 'one-time code already used',
  approval_denied: 'approval denied',
};

interface Attempt {
  userId: string;
  username: string;
  state: UserState;
  settings: Settings;
  client: EngineClient;
  source: string;
  now: number;
  pinVerified?: boolean;
  application?: string;
  sendLimit?: SendLimit;
}

type OathMatch = { token: OathTokenForCheck; counter: number; replayed: boolean };

const DIGITS = /^[0-9]+$/;

// The authentication rules, transport-neutral: RADIUS and the SDK call the same three methods.
// Every node runs it from its own read model; nothing it keeps is needed by another node (the
// challenge state is sealed with the cluster key and travels with the client).
export class AuthenticationEngine {
  private readonly clock: () => number;
  private readonly outOfBandTimeoutMs: number;
  private readonly hotpLookAhead: number;
  private readonly polling: OutOfBandPolling<AuthOutcome>;

  constructor(private readonly deps: AuthenticationEngineDeps) {
    this.clock = deps.clock ?? Date.now;
    this.outOfBandTimeoutMs = deps.outOfBandTimeoutMs ?? 25_000;
    this.hotpLookAhead = deps.hotpLookAhead ?? DEFAULT_HOTP_LOOK_AHEAD;
    this.polling = new OutOfBandPolling<AuthOutcome>({
      sealer: deps.sealer, delivery: deps.delivery, approvalPurpose: APPROVAL_PURPOSE, logger: deps.logger, clock: () => this.clock(),
      load: (userId, client, source) => this.loadAttempt(userId, client, source),
      succeed: (attempt, challenge) => this.succeedChallenge(attempt as Attempt, challenge),
      fail: (attempt, reason) => this.fail(attempt as Attempt, reason),
      reject: (reason, userId) => reject(reason, userId),
    });
  }

  async authenticate(input: AuthenticateInput): Promise<AuthOutcome> {
    try {
      // Without `polled`, push/voice hold the request: never a pending outcome here.
      return (await this.runAuthenticate(input)) as AuthOutcome;
    } catch (error) {
      return this.internalError(error, 'authenticate');
    }
  }

  async answerChallenge(input: AnswerChallengeInput): Promise<AuthOutcome> {
    try {
      return await this.runAnswer(input);
    } catch (error) {
      return this.internalError(error, 'answerChallenge');
    }
  }

  // ---- SDK: nothing held open; push/voice answer with a handle to poll (out-of-band-polling.ts) ----

  async start(input: AuthenticateInput, options: StartOptions = {}): Promise<StartOutcome> {
    try {
      return await this.runAuthenticate(input, { windowMs: options.approvalWindowMs ?? this.outOfBandTimeoutMs });
    } catch (error) {
      return this.internalError(error, 'start');
    }
  }

  async pollOutOfBand(input: PollInput): Promise<StartOutcome> {
    try {
      return await this.polling.poll(input);
    } catch (error) {
      return this.internalError(error, 'pollOutOfBand');
    }
  }

  // Errors of the log write propagate: the caller must know whether the cancellation was recorded.
  cancelOutOfBand(input: CancelInput): Promise<CancelOutcome> {
    return this.polling.cancel(input);
  }

  // A PIN on its own (no code): a wrong one counts toward the lockout like any failed sign-in.
  async checkPin(input: CheckPinInput): Promise<AuthOutcome> {
    try {
      const username = typeof input.username === 'string' ? input.username.trim().toLowerCase() : '';
      const found = username === '' ? null : await this.deps.directory.findUserByUsername(username);
      if (!found) return reject('unknown_user');
      const attempt = await this.loadAttempt(found.userId, input.client, input.source);
      if ('kind' in attempt) return attempt;
      if (attempt.state.pinHash === null) return reject('invalid_pin', attempt.userId, 'No PIN is set for this account.');
      if ((await this.matchPin(attempt, typeof input.pin === 'string' ? input.pin : '', true)) === null) return this.fail(attempt, 'invalid_pin');
      return { kind: 'accept', userId: attempt.userId, username: attempt.username };
    } catch (error) {
      return this.internalError(error, 'checkPin');
    }
  }

  private async loadAttempt(userId: string, client: EngineClient, source: string): Promise<Attempt | AuthOutcome> {
    const state = await this.deps.directory.getUserState(userId);
    if (!state || !state.profile || state.deleted) return reject('unknown_user');
    const now = this.clock();
    const closed = gate(state, now);
    if (closed) return closed;
    const settings = await this.deps.directory.getSettings();
    return { userId, username: state.profile.username, state, settings, client, source, now };
  }

  // ---- first request ----

  // `polled`: push/voice answer with a handle instead of holding the request (SDK).
  private async runAuthenticate(input: AuthenticateInput, polled?: { windowMs: number }): Promise<StartOutcome> {
    const username = typeof input.username === 'string' ? input.username.trim().toLowerCase() : '';
    if (username === '' || username.length > 253) return reject('bad_request');
    const found = await this.deps.directory.findUserByUsername(username);
    if (!found) return reject('unknown_user');
    const state = await this.deps.directory.getUserState(found.userId);
    if (!state || !state.profile) return reject('unknown_user');
    const now = this.clock();
    const closed = gate(state, now);
    if (closed) return closed;
    const settings = await this.deps.directory.getSettings();
    const attempt: Attempt = {
      userId: found.userId, username: state.profile.username, state, settings, client: input.client, source: input.source, now,
      ...(input.application ? { application: input.application } : {}),
      ...(input.sendLimit ? { sendLimit: input.sendLimit } : {}),
    };
    const password = typeof input.password === 'string' ? input.password : '';
    const method = input.method ?? state.profile.preferredMethod ?? settings.defaultMethod;

    if (method === 'totp') {
      const inline = await this.tryInlineOath(attempt, password);
      if (inline) return inline;
    }
    if (input.client.firstFactor.mode !== 'none') {
      const first = await input.client.firstFactor.verify({ username: attempt.username, password, user: state });
      if (!first.ok) {
        if (first.reason === 'unavailable') {
          this.deps.logger?.warn({ userId: attempt.userId, clientId: input.client.clientId, detail: first.detail }, 'first factor unavailable');
          return reject('first_factor_unavailable', attempt.userId);
        }
        return this.fail(attempt, 'invalid_credentials');
      }
    }
    if (input.pin !== undefined && state.pinHash !== null) {
      if ((await this.matchPin(attempt, input.pin, true)) === null) return this.fail(attempt, 'invalid_pin');
      attempt.pinVerified = true;
    }
    // Staged rollout: an administrator's bypass, or an unenrolled user on a first-factor-only client.
    const waived = await waiveSecondFactor(this.deps.security, attempt, method, this.deps.logger);
    if (waived) return waived;
    return this.secondFactor(attempt, method, polled);
  }

  // Password (or nothing, or a PIN) followed by the OATH code, in one request.
  private async tryInlineOath(attempt: Attempt, password: string): Promise<AuthOutcome | null> {
    const { state, client } = attempt;
    const noPassword = client.firstFactor.mode === 'none';
    const hasPin = state.pinHash !== null;
    let attempted = false;
    for (const digits of distinctDigits(state.tokens)) {
      if (password.length < digits) continue;
      const code = password.slice(-digits);
      const rest = password.slice(0, -digits);
      if (!DIGITS.test(code)) continue;
      // none: [PIN]code; password modes: password[PIN]code.
      if (noPassword ? hasPin !== (rest !== '') : rest === '') continue;
      attempted = true;
      const match = this.matchOath(attempt, code);
      if (!match) continue;
      let firstPassword = rest;
      if (hasPin) {
        const remaining = await this.matchPin(attempt, rest, noPassword);
        // PIN alone (no password): a replay reads the same whatever the PIN.
        if (remaining === null && noPassword && match.replayed) return this.fail(attempt, 'code_replayed');
        if (remaining === null) return this.fail(attempt, 'invalid_pin', 'invalid_code');
        firstPassword = remaining;
      }
      if (!noPassword) {
        const first = await client.firstFactor.verify({ username: attempt.username, password: firstPassword, user: state });
        if (!first.ok) return first.reason === 'unavailable' ? reject('first_factor_unavailable', attempt.userId) : this.fail(attempt, 'invalid_credentials');
      }
      if (match.replayed) return this.fail(attempt, 'code_replayed');
      return this.finishOath(attempt, match);
    }
    // Without a password, a code-shaped answer that matched nothing is a failed guess (the PIN is
    // still checked, so it costs what a wrong PIN does); with one, the whole text may still be the
    // password (the code comes at the challenge).
    if (attempted && noPassword) {
      if (hasPin) await this.matchPin(attempt, beforeCode(password, distinctDigits(state.tokens)[0] ?? 0), true);
      return this.fail(attempt, 'invalid_code');
    }
    return null;
  }

  private async secondFactor(attempt: Attempt, method: string, polled?: { windowMs: number }): Promise<StartOutcome> {
    const { state, settings, now } = attempt;
    const expiresAt = now + settings.otp.validitySeconds * 1000;
    const pinHint = state.pinHash !== null && !attempt.pinVerified ? 'your PIN followed by ' : '';
    // The PIN was checked up front (SDK): the answer is then the code alone.
    const pinDone = attempt.pinVerified ? { p: 1 } : {};
    if ((method === 'sms' || method === 'voice' || method === 'push') && attempt.sendLimit) {
      const allowed = attempt.sendLimit(attempt.userId, method);
      if (!allowed.ok) return reject('rate_limited', attempt.userId, sendLimitedMessage(allowed.retryAfterSeconds));
    }
    switch (method) {
      case 'totp': {
        if (state.tokens.length === 0) return reject('no_second_factor', attempt.userId);
        const sealed = this.deps.sealer.sealForRadius({
          purpose: CHALLENGE_PURPOSE, userId: attempt.userId, clientId: attempt.client.clientId, expiresAt, data: { m: 'oath', ...pinDone },
        });
        return { kind: 'challenge', userId: attempt.userId, state: sealed, prompt: `Enter ${pinHint}the code from your authenticator app.`, method: 'oath', expiresAt };
      }
      case 'sms': {
        const phone = state.profile?.phones[0]?.number;
        if (!phone) return reject('no_second_factor', attempt.userId);
        const code = generateNumericOtp(settings.otp.length);
        const nonce = createStateNonce();
        const sealed = this.deps.sealer.sealForRadius({
          purpose: CHALLENGE_PURPOSE, userId: attempt.userId, clientId: attempt.client.clientId, expiresAt, nonce,
          data: { m: 'sms', h: hashOtpForState(code, nonce), l: code.length, ...pinDone },
        });
        try {
          await this.deps.delivery.send({ channel: 'sms', to: phone, userId: attempt.userId, text: `Your sign-in code${attempt.application ? ` for ${attempt.application}` : ''} is ${code}` });
        } catch (error) {
          this.deps.logger?.warn({ userId: attempt.userId, code: (error as { code?: string }).code ?? 'error' }, 'SMS delivery failed');
          return reject('delivery_failed', attempt.userId);
        }
        const prompt = `Enter ${pinHint}the code sent to your phone ending in ${phone.replace(/\D/g, '').slice(-2)}.`;
        return { kind: 'challenge', userId: attempt.userId, state: sealed, prompt, method: 'sms', expiresAt };
      }
      case 'push':
      case 'voice':
        return polled ? this.polling.start(attempt, method, polled.windowMs) : this.outOfBand(attempt, method);
      default:
        return reject('no_second_factor', attempt.userId);
    }
  }

  // Hold the request until the approval is decided (anywhere in the cluster), denied or timed out.
  private async outOfBand(attempt: Attempt, channel: 'push' | 'voice'): Promise<AuthOutcome> {
    const to = channel === 'voice' ? attempt.state.profile?.phones[0]?.number : attempt.username;
    if (!to) return reject('no_second_factor', attempt.userId);
    const nonce = createStateNonce();
    const approvalId = this.deps.sealer.sealToString({
      purpose: APPROVAL_PURPOSE, userId: attempt.userId, expiresAt: attempt.now + this.outOfBandTimeoutMs, nonce, data: { c: attempt.client.clientId },
    });
    const pending = this.deps.approvals.expect(nonce, this.outOfBandTimeoutMs);
    try {
      await this.deps.delivery.send({
        channel, to, userId: attempt.userId, approvalId,
        text: `Sign-in request for ${attempt.username}: approve or deny.`,
        metadata: { clientId: attempt.client.clientId },
      });
    } catch (error) {
      pending.cancel();
      this.deps.logger?.warn({ userId: attempt.userId, code: (error as { code?: string }).code ?? 'error' }, `${channel} delivery failed`);
      return reject('delivery_failed', attempt.userId);
    }
    const decision = await pending.decision;
    switch (decision) {
      case 'approved':
        return this.succeed(attempt);
      case 'denied':
        return this.fail(attempt, 'approval_denied');
      case 'fraud':
        // Whoever took the decision reported the fraud (and blocked the user, by settings).
        return reject('fraud_reported', attempt.userId);
      default:
        return reject('approval_timeout', attempt.userId);
    }
  }

  // ---- follow-up carrying the challenge state ----

  private async runAnswer(input: AnswerChallengeInput): Promise<AuthOutcome> {
    const now = this.clock();
    let claims;
    try {
      claims = this.deps.sealer.open(input.state, { purpose: CHALLENGE_PURPOSE, nowMs: now, clientId: input.client.clientId });
    } catch {
      return reject('invalid_state');
    }
    const state = await this.deps.directory.getUserState(claims.userId);
    if (!state || !state.profile || state.deleted) return reject('invalid_state');
    if (input.username !== undefined && input.username.trim().toLowerCase() !== state.profile.username) return reject('invalid_state');
    const closed = gate(state, now);
    if (closed) return closed;
    // Answered once (here or on any node whose record reached us): the State is spent.
    if (isChallengeConsumed(state, claims.nonce)) return reject('invalid_state', claims.userId);
    const settings = await this.deps.directory.getSettings();
    const attempt: Attempt = { userId: claims.userId, username: state.profile.username, state, settings, client: input.client, source: input.source, now };
    const response = typeof input.response === 'string' ? input.response : '';
    const data = claims.data ?? {};
    const hasPin = state.pinHash !== null && data.p !== 1;

    const challenge = challengeRef(claims);
    if (data.m === 'sms') {
      const length = typeof data.l === 'number' ? data.l : settings.otp.length;
      const code = response.slice(-length);
      const rest = response.slice(0, -length);
      const codeOk = response.length >= length && verifyOtpForState(code, claims.nonce, data.h);
      // The PIN is checked whether or not the code matched, and a mismatch of either reads the
      // same (reason and time): the answer never tells which factor was right.
      const pinOk = hasPin ? (await this.matchPin(attempt, rest, true)) !== null : rest === '';
      if (!codeOk) return this.fail(attempt, 'invalid_code');
      if (!pinOk) return this.fail(attempt, hasPin ? 'invalid_pin' : 'invalid_code', 'invalid_code');
      return this.succeedChallenge(attempt, challenge);
    }
    if (data.m === 'oath') {
      for (const digits of distinctDigits(state.tokens)) {
        if (response.length < digits) continue;
        const code = response.slice(-digits);
        const rest = response.slice(0, -digits);
        if (!DIGITS.test(code) || (!hasPin && rest !== '')) continue;
        const match = this.matchOath(attempt, code);
        if (!match) continue;
        const pinOk = !hasPin || (await this.matchPin(attempt, rest, true)) !== null;
        // A replay reads the same whatever the PIN, so a spent code is no PIN oracle.
        if (match.replayed) return this.fail(attempt, 'code_replayed');
        if (!pinOk) return this.fail(attempt, 'invalid_pin', 'invalid_code');
        return this.finishOath(attempt, match, challenge);
      }
      // No code matched: the PIN is still checked, so a wrong code costs what a wrong PIN does.
      if (hasPin) await this.matchPin(attempt, beforeCode(response, distinctDigits(state.tokens)[0] ?? 0), true);
      return this.fail(attempt, 'invalid_code');
    }
    return reject('invalid_state', attempt.userId);
  }

  // ---- pieces ----

  // Cheap (HMACs only), so it runs before any argon2 or directory call.
  private matchOath(attempt: Attempt, code: string): OathMatch | null {
    let replayed: OathMatch | null = null;
    for (const token of attempt.state.tokens) {
      if (token.digits !== code.length) continue;
      let seed: Buffer;
      try {
        seed = this.deps.openSeed(attempt.userId, token);
      } catch (error) {
        this.deps.logger?.warn({ userId: attempt.userId, tokenId: token.tokenId, code: (error as { code?: string }).code ?? 'error' }, 'OATH seed cannot be opened');
        continue;
      }
      const options = { digits: token.digits as OathDigits, algorithm: token.algorithm };
      if (token.kind === 'hotp') {
        const result = verifyHotp({ seed, code, counter: token.counter, lookAhead: this.hotpLookAhead, ...options });
        if (result.ok) return { token, counter: result.counter, replayed: false };
        continue;
      }
      const result = verifyTotp({
        seed, code, timeMs: attempt.now, driftSteps: attempt.settings.otp.totpDriftSteps, period: token.period as TotpPeriod,
        lastUsedStep: token.lastUsedCounter ?? undefined, ...options,
      });
      if (result.ok) return { token, counter: result.step, replayed: false };
      if (result.reason === 'replayed') replayed = { token, counter: -1, replayed: true };
    }
    return replayed;
  }

  // The PIN is the whole text (alone), or the end of it (after a password). Returns what is left.
  private async matchPin(attempt: Attempt, text: string, alone: boolean): Promise<string | null> {
    const pinHash = attempt.state.pinHash;
    if (pinHash === null) return text;
    const context = SealContext.pinHash(attempt.userId);
    if (alone) return DIGITS.test(text) && (await this.deps.hasher.verify(pinHash, text, context)) ? '' : null;
    const { minLength, maxLength } = attempt.settings.pin;
    for (let length = maxLength; length >= minLength; length--) {
      if (text.length <= length) continue;
      const pin = text.slice(-length);
      if (DIGITS.test(pin) && (await this.deps.hasher.verify(pinHash, pin, context))) return text.slice(0, -length);
    }
    return null;
  }

  // The cluster-wide once-only check: the log refuses a step or counter already used, and (with
  // `challenge`) a State already answered.
  private async finishOath(attempt: Attempt, match: OathMatch, challenge?: ChallengeRef): Promise<AuthOutcome> {
    try {
      await this.deps.security.recordOathSuccess(attempt.userId, match.token.tokenId, match.counter, attempt.source, challenge);
    } catch (error) {
      if (isChallengeReplay(error)) return reject('invalid_state', attempt.userId);
      if (isCodeReplay(error)) return this.fail(attempt, 'code_replayed');
      throw error;
    }
    return { kind: 'accept', userId: attempt.userId, username: attempt.username };
  }

  // A challenge State (SMS, polled push/voice) answered: consumed and the success, in one append.
  private async succeedChallenge(attempt: Attempt, challenge: ChallengeRef): Promise<AuthOutcome> {
    try {
      await this.deps.security.recordChallengeSuccess(attempt.userId, challenge.nonce, challenge.expiresAt, attempt.source);
    } catch (error) {
      if (isCodeReplay(error)) return reject('invalid_state', attempt.userId);
      throw error;
    }
    return { kind: 'accept', userId: attempt.userId, username: attempt.username };
  }

  private async succeed(attempt: Attempt): Promise<AuthOutcome> {
    try {
      await this.deps.security.recordSuccess(attempt.userId, attempt.source);
    } catch (error) {
      // The code is already burned; a lost success record only delays the failure-counter reset.
      this.deps.logger?.warn({ userId: attempt.userId, code: (error as { code?: string }).code ?? 'error' }, 'could not record a successful authentication');
    }
    return { kind: 'accept', userId: attempt.userId, username: attempt.username };
  }

  // `shown`: what the caller is told when it must not learn the exact reason (the log keeps it).
  private async fail(attempt: Attempt, reason: RejectReason, shown: RejectReason = reason): Promise<AuthOutcome> {
    try {
      await this.deps.security.recordFailedAttempt(attempt.userId, FAILURE_TEXT[reason] ?? reason, attempt.source);
      // This failure may be the one that locked the account: say so now rather than next time.
      const after = await this.deps.directory.getUserState(attempt.userId);
      if (after && isLockedOut(after, new Date(this.clock()))) return lockedReject(after, attempt.userId);
    } catch (error) {
      this.deps.logger?.warn({ userId: attempt.userId, code: (error as { code?: string }).code ?? 'error' }, 'could not record a failed authentication');
    }
    return reject(shown, attempt.userId);
  }

  private internalError(error: unknown, where: string): AuthOutcome {
    const code = (error as { code?: unknown })?.code;
    this.deps.logger?.warn({ where, code: typeof code === 'string' ? code : 'error', err: error instanceof Error ? error.name : typeof error }, 'authentication failed internally');
    return reject('internal_error');
  }
}

function reject(reason: RejectReason, userId?: string, message = MESSAGES[reason]): AuthOutcome {
  return userId === undefined ? { kind: 'reject', reason, message } : { kind: 'reject', reason, message, userId };
}

function lockedReject(state: UserState, userId: string): AuthOutcome {
  const until = state.lockedOut?.until;
  return reject('user_locked', userId, until
    ? `Your account is locked after too many failed sign-in attempts until ${until.replace(/\.\d+Z$/, 'Z')}.`
    : 'Your account is locked after too many failed sign-in attempts. Contact your administrator.');
}

// Disabled, blocked and locked users are told why; unknown and deleted ones are not.
function gate(state: UserState, now: number): AuthOutcome | null {
  const allowed = canAuthenticate(state, new Date(now));
  if (allowed.ok) return null;
  const userId = state.userId ?? undefined;
  switch (allowed.error.code) {
    case DomainErrorCode.UserDisabled: return reject('user_disabled', userId);
    case DomainErrorCode.UserBlocked: return reject('user_blocked', userId);
    case DomainErrorCode.UserLocked: return lockedReject(state, state.userId!);
    default: return reject('unknown_user');
  }
}

function beforeCode(text: string, digits: number): string {
  return text.slice(0, Math.max(0, text.length - digits));
}

function distinctDigits(tokens: readonly OathTokenForCheck[]): number[] {
  return [...new Set(tokens.map((t) => t.digits))].sort((a, b) => b - a);
}

// For whoever takes an out-of-band decision (admin API, later the mobile app service): the
// approval id is a sealed token, so any node can check it without shared state.
export function openApprovalId(sealer: StateSealer, approvalId: string, nowMs: number): { approvalKey: string; userId: string; clientId?: string; expiresAt: number } {
  const claims = sealer.open(approvalId, { purpose: APPROVAL_PURPOSE, nowMs });
  const clientId = typeof claims.data?.c === 'string' ? claims.data.c : undefined;
  return { approvalKey: claims.nonce, userId: claims.userId, expiresAt: claims.expiresAt, ...(clientId ? { clientId } : {}) };
}
