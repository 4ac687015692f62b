import { Inject, Injectable } from '@nestjs/common';
import { AnswerResult, RedeemInvitationRequest } from '@twofold/sdk-client';
import { canAuthenticate, DomainErrorCode, isDomainError, sessionVersionOf } from '@twofold/domain';
import { UserAssertions } from '../assertions/user-assertions';
import { SdkError } from '../errors/sdk-error';
import { SdkRateLimits } from '../rate-limit/sdk-rate-limits';
import { SDK_DEPS, SdkDeps } from '../sdk.deps';
import { parseInput } from '../sdk-input';
import { passwordFirstFactor } from '../authentications/password-first-factor';
import type { SdkPrincipal } from '../auth/sdk-principal';

const REJECTED = (reason: 'invalid_credentials' | 'invalid_code' | 'code_replayed' | 'user_disabled' | 'user_locked' | 'user_blocked', message: string): AnswerResult => ({ status: 'rejected', reason, message });

// First sign-in with an invitation: the user's own password, then the one-time code, which is
// spent on the master (a slave forwards this call), so it works once in the whole cluster.
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
    const state = found ? await this.deps.queries.getUserState(found.userId) : null;
    if (!found || !state || !state.exists || state.deleted) return REJECTED('invalid_credentials', 'Authentication failed.');
    const gate = canAuthenticate(state, new Date());
    if (!gate.ok) {
      const reason = gate.error.code === DomainErrorCode.UserLocked ? 'user_locked' : gate.error.code === DomainErrorCode.UserBlocked ? 'user_blocked' : 'user_disabled';
      return REJECTED(reason, gate.error.message);
    }
    if (!this.deps.passwordVerifier && !this.deps.firstFactor) throw new SdkError('not_ready', 'this node cannot check passwords');
    const first = await passwordFirstFactor(this.deps).verify({ username: input.username, password: input.password, user: state });
    if (!first.ok && first.reason === 'unavailable') {
      this.deps.logger.warn({ credential: principal.name, userId: found.userId, op: 'invitation', detail: first.detail }, 'SDK invitation: the first factor cannot be checked');
      return { status: 'rejected', reason: 'first_factor_unavailable', message: 'Your password cannot be checked right now. Try again later.' };
    }
    if (!first.ok) {
      await this.deps.commands.security.record({ kind: 'failed_attempt', userId: found.userId, reason: 'invalid_credentials', source });
      return REJECTED('invalid_credentials', 'Authentication failed.');
    }
    try {
      await this.deps.commands.invitations.use(found.userId, input.code, source);
    } catch (err) {
      if (isDomainError(err, DomainErrorCode.CodeAlreadyUsed)) return REJECTED('code_replayed', 'This invitation has already been used.');
      if (isDomainError(err, DomainErrorCode.ValidationFailed)) {
        await this.deps.commands.security.record({ kind: 'failed_attempt', userId: found.userId, reason: 'invalid_code', source });
        return REJECTED('invalid_code', 'The invitation code is not valid or has expired.');
      }
      throw err;
    }
    this.deps.logger.info({ credential: principal.name, userId: found.userId, op: 'invitation' }, 'SDK invitation used');
    const fresh = await this.deps.queries.getUserState(found.userId);
    const assertion = this.assertions.issue(principal.credentialId, found.userId, state.profile!.username, fresh ? sessionVersionOf(fresh) : 0);
    return { status: 'accepted', userId: found.userId, username: state.profile!.username, userAssertion: assertion.token, userAssertionExpiresAt: new Date(assertion.expiresAt).toISOString() };
  }
}
