import { errorCodeOf } from '@twofold/domain';
import { OathCodeCache } from '../oath/oath-code-cache';
import { accept, SignInAttempt, EngineContext, fail, isSignInAttempt, loadSignInAttempt, succeedChallenge } from './attempt';
import { challengeRef, isChallengeConsumed } from './challenge-once';
import {
  AnswerChallengeInput, APPROVAL_PURPOSE, AuthenticateInput, AuthenticationEngineDeps, AuthOutcome, CHALLENGE_PURPOSE, CheckPinInput,
  DEFAULT_HOTP_LOOK_AHEAD, FailedStep, FirstFactorSignInInput, StartOptions, StartOutcome,
} from './engine.types';
import { EngineClient, SignInRead } from './engine.ports';
import { checkFirstFactor } from './first-factor-check';
import { answerOathChallenge, issueOathChallenge, tryInlineOath } from './oath-factor';
import { holdOutOfBand } from './out-of-band-factor';
import { CancelInput, CancelOutcome, OutOfBandPolling, PollInput } from './out-of-band-polling';
import { matchPin } from './pin-check';
import { reject } from './reject-messages';
import { waiveSecondFactor } from './second-factor-waiver';
import { sendLimitedMessage } from './send-limit';
import { answerSmsChallenge, issueSmsChallenge } from './sms-factor';

export * from './engine.types';
export { openApprovalId } from './out-of-band-factor';
export { GATE_REASONS, gateReason, type GateReason } from './attempt';

// The authentication rules, transport-neutral: RADIUS and the SDK call the same methods. Every
// node runs it from its own read model; nothing it keeps is needed by another node (the challenge
// state is sealed with the cluster key and travels with the client). This class only routes: an
// attempt is loaded and gated once (attempt.ts), each second factor issues and answers in its own
// file, and every outcome is one record(outcome) on the security port.
export class AuthenticationEngine {
  private readonly ctx: EngineContext;
  private readonly polling: OutOfBandPolling<AuthOutcome>;

  constructor(private readonly deps: AuthenticationEngineDeps) {
    const ctx: EngineContext = {
      deps, clock: deps.clock ?? Date.now, outOfBandTimeoutMs: deps.outOfBandTimeoutMs ?? 25_000, hotpLookAhead: deps.hotpLookAhead ?? DEFAULT_HOTP_LOOK_AHEAD,
      codes: new OathCodeCache(),
    };
    this.ctx = ctx;
    this.polling = new OutOfBandPolling<AuthOutcome>({
      sealer: deps.sealer, delivery: deps.delivery, approvalPurpose: APPROVAL_PURPOSE, logger: deps.logger, clock: () => ctx.clock(),
      load: (userId, client, source) => loadSignInAttempt(ctx, userId, client, source),
      succeed: (attempt, challenge) => succeedChallenge(ctx, attempt as SignInAttempt, challenge),
      fail: (attempt, reason) => fail(ctx, attempt as SignInAttempt, reason),
      reject: (reason, userId) => reject(reason, userId),
    });
  }

  async authenticate(input: AuthenticateInput): Promise<AuthOutcome> {
    // Without `polled`, push/voice hold the request: never a pending outcome here.
    return this.guarded('authenticate', async () => (await this.runAuthenticate(input)) as AuthOutcome);
  }

  answerChallenge(input: AnswerChallengeInput): Promise<AuthOutcome> {
    return this.guarded('answerChallenge', () => this.runAnswer(input));
  }

  // ---- SDK: nothing held open; push/voice answer with a handle to poll (out-of-band-polling.ts) ----

  start(input: AuthenticateInput, options: StartOptions = {}): Promise<StartOutcome> {
    return this.guarded('start', () => this.runAuthenticate(input, { windowMs: options.approvalWindowMs ?? this.ctx.outOfBandTimeoutMs }));
  }

  pollOutOfBand(input: PollInput): Promise<StartOutcome> {
    return this.guarded('pollOutOfBand', () => this.polling.poll(input));
  }

  // Errors of the log write propagate: the caller must know whether the cancellation was recorded.
  cancelOutOfBand(input: CancelInput): Promise<CancelOutcome> {
    return this.polling.cancel(input);
  }

  // A PIN on its own (no code): a wrong one counts toward the lockout like any failed sign-in.
  checkPin(input: CheckPinInput): Promise<AuthOutcome> {
    return this.guarded('checkPin', async () => {
      const attempt = await this.loadNamed(input.username, input.client, input.source);
      if (!isSignInAttempt(attempt)) return attempt;
      if (attempt.state.pinHash === null) return reject('invalid_pin', attempt.userId, 'No PIN is set for this account.');
      if ((await matchPin(this.deps.hasher, attempt, typeof input.pin === 'string' ? input.pin : '', true)) === null) return fail(this.ctx, attempt, 'invalid_pin');
      return accept(attempt);
    });
  }

  // A sign-in on the first factor and one step the caller checks itself (an invitation's one-time
  // code): the user gated and the first factor checked as in any sign-in; a failed step is a failed
  // attempt (toward the lockout) unless it says it does not count. The step's own errors propagate.
  async signInWithFirstFactor(input: FirstFactorSignInInput, step: (userId: string) => Promise<FailedStep | null>): Promise<AuthOutcome> {
    const checked = await this.guarded('signInWithFirstFactor', async () => {
      const attempt = await this.loadNamed(input.username, input.client, input.source);
      if (!isSignInAttempt(attempt)) return attempt;
      return (await checkFirstFactor(this.ctx, attempt, typeof input.password === 'string' ? input.password : '')) ?? attempt;
    });
    if (!isSignInAttempt(checked)) return checked;
    const failed = await step(checked.userId);
    if (!failed) return accept(checked);
    if (failed.counts === false) return reject(failed.reason, checked.userId, failed.message);
    const outcome = await fail(this.ctx, checked, failed.reason);
    // This failure may have locked the account (that reject says so); otherwise the step's words.
    return outcome.kind === 'reject' && outcome.reason === failed.reason && failed.message ? { ...outcome, message: failed.message } : outcome;
  }

  private async loadNamed(raw: unknown, client: EngineClient, source: string): Promise<SignInAttempt | AuthOutcome> {
    const username = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
    const found = username === '' ? null : await this.findNamed(username);
    if (!found) return reject('unknown_user');
    return loadSignInAttempt(this.ctx, found.userId, client, source, { read: found.read });
  }

  // The user's id, and with a directory that reads them together, its state and the settings.
  private async findNamed(username: string): Promise<{ userId: string; read?: SignInRead } | null> {
    const { directory } = this.deps;
    if (!directory.findSignIn) return directory.findUserByUsername(username);
    const read = await directory.findSignIn(username);
    return read && { userId: read.userId, read };
  }

  // ---- first request ----

  // `polled`: push/voice answer with a handle instead of holding the request (SDK).
  private async runAuthenticate(input: AuthenticateInput, polled?: { windowMs: number }): Promise<StartOutcome> {
    const username = typeof input.username === 'string' ? input.username.trim().toLowerCase() : '';
    if (username === '' || username.length > 253) return reject('bad_request');
    const found = await this.findNamed(username);
    if (!found) return reject('unknown_user');
    const attempt = await loadSignInAttempt(this.ctx, found.userId, input.client, input.source, { application: input.application, sendLimit: input.sendLimit, read: found.read });
    if (!isSignInAttempt(attempt)) return attempt;
    const password = typeof input.password === 'string' ? input.password : '';
    const method = input.method ?? attempt.state.profile?.preferredMethod ?? attempt.settings.defaultMethod;

    if (method === 'totp') {
      const inline = await tryInlineOath(this.ctx, attempt, password);
      if (inline) return inline;
    }
    const firstFactorRefused = await checkFirstFactor(this.ctx, attempt, password);
    if (firstFactorRefused) return firstFactorRefused;
    if (input.pin !== undefined && attempt.state.pinHash !== null) {
      if ((await matchPin(this.deps.hasher, attempt, input.pin, true)) === null) return fail(this.ctx, attempt, 'invalid_pin');
      attempt.pinVerified = true;
    }
    // Staged rollout: an administrator's bypass, or an unenrolled user on a first-factor-only client.
    const waived = await waiveSecondFactor(this.ctx, attempt, method);
    if (waived) return waived;
    return this.issueSecondFactor(attempt, method, polled);
  }

  // Asks for the second factor; SMS, calls and pushes only within the request's send limit.
  private issueSecondFactor(attempt: SignInAttempt, method: string, polled?: { windowMs: number }): Promise<StartOutcome> | StartOutcome {
    if ((method === 'sms' || method === 'voice' || method === 'push') && attempt.sendLimit) {
      const allowed = attempt.sendLimit(attempt.userId, method);
      if (!allowed.ok) return reject('rate_limited', attempt.userId, sendLimitedMessage(allowed.retryAfterSeconds));
    }
    switch (method) {
      case 'totp': return issueOathChallenge(this.ctx, attempt);
      case 'sms': return issueSmsChallenge(this.ctx, attempt);
      case 'push':
      case 'voice':
        return polled ? this.polling.start(attempt, method, polled.windowMs) : holdOutOfBand(this.ctx, attempt, method);
      default:
        return reject('no_second_factor', attempt.userId);
    }
  }

  // ---- follow-up carrying the challenge state ----

  private async runAnswer(input: AnswerChallengeInput): Promise<AuthOutcome> {
    const now = this.ctx.clock();
    let claims;
    try {
      claims = this.deps.sealer.open(input.state, { purpose: CHALLENGE_PURPOSE, nowMs: now, clientId: input.client.clientId });
    } catch {
      return reject('invalid_state');
    }
    const attempt = await loadSignInAttempt(this.ctx, claims.userId, input.client, input.source, { now, missing: 'invalid_state', username: input.username });
    if (!isSignInAttempt(attempt)) return attempt;
    // Answered once (here or on any node whose record reached us): the State is spent.
    if (isChallengeConsumed(attempt.state, claims.nonce)) return reject('invalid_state', claims.userId);
    const response = typeof input.response === 'string' ? input.response : '';
    const data = claims.data ?? {};
    const hasPin = attempt.state.pinHash !== null && data.p !== 1;
    const challenge = challengeRef(claims);
    if (data.m === 'sms') return answerSmsChallenge(this.ctx, attempt, response, { nonce: claims.nonce, data }, hasPin, challenge);
    if (data.m === 'oath') return answerOathChallenge(this.ctx, attempt, response, hasPin, challenge);
    return reject('invalid_state', attempt.userId);
  }

  // Anything unexpected (storage down, a bug) is a reject the user can read, logged without secrets.
  private async guarded<T>(where: string, run: () => Promise<T>): Promise<T | AuthOutcome> {
    try {
      return await run();
    } catch (error) {
      this.deps.logger?.warn({ where, code: errorCodeOf(error) ?? 'error', err: error instanceof Error ? error.name : typeof error }, 'authentication failed internally');
      return reject('internal_error');
    }
  }
}
