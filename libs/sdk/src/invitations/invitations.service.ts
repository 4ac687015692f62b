import { Inject, Injectable } from '@nestjs/common';
import { AnswerResult, RedeemInvitationRequest } from '@twofold/sdk-client';
import { DomainErrorCode, isDomainError, sessionVersionOf } from '@twofold/domain';
import { FailedStep } from '@twofold/mfa';
import { UserAssertions } from '../assertions/user-assertions';
import { SdkError } from '../errors/sdk-error';
import { SdkRateLimits } from '../rate-limit/sdk-rate-limits';
import { SDK_DEPS, SdkDeps } from '../sdk.deps';
import { parseInput } from '../sdk-input';
import { passwordFirstFactor } from '../authentications/password-first-factor';
import { rejectedResult, unavailable } from '../authentications/rejected-result';
import type { SdkPrincipal } from '../auth/sdk-principal';

// First sign-in with an invitation: the user's own password, then the one-time code, which is
// spent on the master (a slave forwards this call), so it works once in the whole cluster. The
// engine gates the user and checks the password as in any sign-in; only the code is checked here.
@Injectable()
export class InvitationsService {
  constructor(
    @Inject(SDK_DEPS) private readonly deps: SdkDeps,
    private readonly assertions: UserAssertions,
    private readonly limits: SdkRateLimits,
  ) {}

  async redeem(principal: SdkPrincipal, body: unknown): Promise<AnswerResult> {
    const input = parseInput(RedeemInvitationRequest, body);
    const source = `sdk:${principal.credentialId}`;
    const found = await this.deps.queries.findUserByUsername(input.username);
    this.limits.user(found ? found.userId : `name:${input.username}`);
    if (!this.deps.passwordVerifier && !this.deps.firstFactor) throw new SdkError('not_ready', 'this node cannot check passwords');
    const client = { clientId: principal.credentialId, firstFactor: passwordFirstFactor(this.deps) };
    const outcome = await this.deps.engine.signInWithFirstFactor(
      { username: input.username, password: input.password, client, source },
      (userId) => this.spend(userId, input.code, source),
    );
    if (outcome.kind === 'reject') {
      const rejected = rejectedResult(outcome);
      // Who does not exist is told what a wrong password is told.
      return outcome.reason === 'unknown_user' || outcome.reason === 'bad_request' ? { ...rejected, reason: 'invalid_credentials' } : rejected;
    }
    if (outcome.kind !== 'accept') throw unavailable();
    this.deps.logger.info({ credential: principal.name, userId: outcome.userId, op: 'invitation' }, 'SDK invitation used');
    const fresh = await this.deps.queries.getUserState(outcome.userId);
    const assertion = this.assertions.issue(principal.credentialId, outcome.userId, outcome.username, fresh ? sessionVersionOf(fresh) : 0);
    return { status: 'accepted', userId: outcome.userId, username: outcome.username, userAssertion: assertion.token, userAssertionExpiresAt: new Date(assertion.expiresAt).toISOString() };
  }

  // The code, spent once in the cluster: a wrong or expired one is a failed attempt, a used one is not.
  private async spend(userId: string, code: string, source: string): Promise<FailedStep | null> {
    try {
      await this.deps.commands.invitations.use(userId, code, source);
      return null;
    } catch (err) {
      if (isDomainError(err, DomainErrorCode.CodeAlreadyUsed)) return { reason: 'code_replayed', message: 'This invitation has already been used.', counts: false };
      if (isDomainError(err, DomainErrorCode.ValidationFailed)) return { reason: 'invalid_code', message: 'The invitation code is not valid or has expired.' };
      throw err;
    }
  }
}
