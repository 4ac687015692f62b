import { Inject, Injectable } from '@nestjs/common';
import {
  AnswerChallengeRequest, AnswerResult, CancelRequest, CancelResult, PinValidationRequest, PinValidationResult, PollRequest, PollResult,
  RejectReasonCode, StartAuthenticationRequest, StartResult,
} from '@twofold/sdk-client';
import { sessionVersionOf } from '@twofold/domain';
import { AuthOutcome, CHALLENGE_PURPOSE, EngineClient, FirstFactorProvider, NoFirstFactor, StartOutcome, StateSealer } from '@twofold/mfa';
import { UserAssertions } from '../assertions/user-assertions';
import { StoreApprovalDecisionLog } from '../approvals/approval-decision-log';
import { SdkError } from '../errors/sdk-error';
import { SdkRateLimits } from '../rate-limit/sdk-rate-limits';
import { SDK_DEPS, SDK_OPTIONS, SdkDeps, SdkOptions } from '../sdk.deps';
import { parseInput } from '../sdk-input';
import { passwordFirstFactor } from './password-first-factor';
import { rejectedResult, unavailable } from './rejected-result';
import type { SdkPrincipal } from '../auth/sdk-principal';

const iso = (ms: number) => new Date(ms).toISOString();
// ADFS and applications check the first factor themselves: the SDK is the second factor. A start
// call that carries `password` (the User Portal) has it checked first (local password or LDAP).
const NO_FIRST_FACTOR = new NoFirstFactor();

// The SDK's authentication use cases over the node's one engine. Logs name the credential, the
// user id and the outcome, never a code, PIN or handle.
@Injectable()
export class AuthenticationsService {
  private readonly sealer: StateSealer;
  private readonly password: FirstFactorProvider;

  constructor(
    @Inject(SDK_DEPS) private readonly deps: SdkDeps,
    @Inject(SDK_OPTIONS) private readonly options: SdkOptions,
    private readonly assertions: UserAssertions,
    private readonly decisions: StoreApprovalDecisionLog,
    private readonly limits: SdkRateLimits,
  ) {
    this.sealer = deps.stateSealer;
    this.password = passwordFirstFactor(deps);
  }

  async start(principal: SdkPrincipal, body: unknown): Promise<StartResult> {
    const input = parseInput(StartAuthenticationRequest, body);
    await this.limitByName(input.username);
    const withPassword = input.password !== undefined;
    const outcome = await this.deps.engine.start({
      username: input.username, client: await this.client(principal, withPassword), source: source(principal),
      ...(withPassword ? { password: input.password } : {}),
      ...(input.method !== 'default' ? { method: input.method } : {}),
      ...(input.pin !== undefined ? { pin: input.pin } : {}),
      ...(input.application !== undefined ? { application: input.application } : {}),
    }, { approvalWindowMs: this.options.approvalWindowMs });
    this.log(principal, 'start', outcome);
    return (await this.toResult(principal, outcome)) as StartResult;
  }

  async answer(principal: SdkPrincipal, body: unknown): Promise<AnswerResult> {
    const input = parseInput(AnswerChallengeRequest, body);
    const userId = this.peekUser(input.challenge, CHALLENGE_PURPOSE, principal);
    if (userId) this.limits.user(userId);
    const outcome = await this.deps.engine.answerChallenge({
      state: input.challenge, response: `${input.pin ?? ''}${input.code}`, client: await this.client(principal), source: source(principal),
    });
    this.log(principal, 'answer', outcome);
    return (await this.toResult(principal, outcome)) as AnswerResult;
  }

  async poll(principal: SdkPrincipal, body: unknown): Promise<PollResult> {
    const input = parseInput(PollRequest, body);
    const outcome = await this.deps.engine.pollOutOfBand({
      handle: input.handle, client: await this.client(principal), source: source(principal), decisions: this.decisions, waitMs: input.waitSeconds * 1000,
    });
    if (outcome.kind !== 'pending') this.log(principal, 'poll', outcome);
    return (await this.toResult(principal, outcome)) as PollResult;
  }

  async cancel(principal: SdkPrincipal, body: unknown): Promise<CancelResult> {
    const input = parseInput(CancelRequest, body);
    const outcome = await this.deps.engine.cancelOutOfBand({ handle: input.handle, client: await this.client(principal), source: source(principal), decisions: this.decisions });
    switch (outcome.kind) {
      case 'cancelled':
        this.deps.logger.info({ credential: principal.name, userId: outcome.userId, op: 'cancel' }, 'SDK authentication cancelled');
        return { status: 'cancelled' };
      case 'already_decided':
        throw new SdkError('approval_already_decided', `the request was already decided (${outcome.decision}); it can no longer be cancelled`);
      default:
        return { status: 'rejected', reason: 'invalid_state', message: 'The sign-in has expired or is not valid. Start again.' };
    }
  }

  async validatePin(principal: SdkPrincipal, body: unknown): Promise<PinValidationResult> {
    const input = parseInput(PinValidationRequest, body);
    await this.limitByName(input.username);
    const outcome = await this.deps.engine.checkPin({ username: input.username, pin: input.pin, client: await this.client(principal), source: source(principal) });
    this.log(principal, 'pin', outcome);
    if (outcome.kind === 'accept') return { valid: true };
    if (outcome.kind === 'reject' && outcome.reason === 'internal_error') throw unavailable();
    const { reason, message } = outcome as Extract<AuthOutcome, { kind: 'reject' }>;
    return { valid: false, reason: reason as RejectReasonCode, message };
  }

  // The credential's rollout policy says what to do with users who have no second factor yet (read
  // per call: a policy change holds at once on every node). Without a password here, ADFS (the
  // caller) checked the first factor.
  private async client(principal: SdkPrincipal, withPassword = false): Promise<EngineClient> {
    const unenrolled = await this.deps.queries.getRolloutPolicy(`sdk:${principal.credentialId}`);
    return { clientId: principal.credentialId, firstFactor: withPassword ? this.password : NO_FIRST_FACTOR, unenrolled, firstFactorCheckedByCaller: !withPassword };
  }

  private async limitByName(username: string): Promise<void> {
    const user = await this.deps.queries.findUserByUsername(username);
    this.limits.user(user ? user.userId : `name:${username}`);
  }

  // The user a handle names (without spending it), for the per-user limit.
  private peekUser(handle: string, purpose: string, principal: SdkPrincipal): string | undefined {
    try {
      return this.sealer.open(handle, { purpose, nowMs: Date.now(), clientId: principal.credentialId }).userId;
    } catch {
      return undefined;
    }
  }

  private async toResult(principal: SdkPrincipal, outcome: StartOutcome): Promise<StartResult> {
    switch (outcome.kind) {
      case 'accept': {
        // The assertion remembers the user's session version: a later block, lock, disable or PIN change voids it.
        const state = await this.deps.queries.getUserState(outcome.userId);
        const assertion = this.assertions.issue(principal.credentialId, outcome.userId, outcome.username, state ? sessionVersionOf(state) : 0);
        return { status: 'accepted', userId: outcome.userId, username: outcome.username, userAssertion: assertion.token, userAssertionExpiresAt: iso(assertion.expiresAt) };
      }
      case 'challenge':
        return {
          status: 'challenge', challenge: outcome.state.toString('base64url'), method: outcome.method === 'sms' ? 'sms' : 'totp',
          prompt: outcome.prompt, expiresAt: iso(outcome.expiresAt),
        };
      case 'pending':
        return {
          status: 'pending', handle: outcome.handle, method: outcome.method, prompt: outcome.prompt, expiresAt: iso(outcome.expiresAt),
          ...(outcome.numberToMatch !== undefined ? { numberToMatch: outcome.numberToMatch } : {}),
        };
      case 'reject':
        // A send limit (when a transport sets one) is the SDK's own 429.
        return rejectedResult(outcome);
    }
  }

  private log(principal: SdkPrincipal, op: string, outcome: StartOutcome): void {
    this.deps.logger.info({
      credential: principal.name, op, outcome: outcome.kind, userId: 'userId' in outcome ? outcome.userId : undefined,
      reason: outcome.kind === 'reject' ? outcome.reason : undefined,
    }, 'SDK authentication');
  }
}

const source = (principal: SdkPrincipal) => `sdk:${principal.credentialId}`;
