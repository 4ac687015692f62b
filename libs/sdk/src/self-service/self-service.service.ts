import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@twofold/commands';
import {
  ChangePhoneRequest, ChangePinRequest, EnrollTokenRequest, FraudReported, FraudReportRequest, TokenEnrolled, UserSummary,
} from '@twofold/sdk-client';
import { canAuthenticate, sessionVersionOf } from '@twofold/domain';
import { gateReason } from '@twofold/mfa';
import { z } from 'zod';
import { UserAssertion, UserAssertions } from '../assertions/user-assertions';
import { SdkError } from '../errors/sdk-error';
import { SdkRateLimits } from '../rate-limit/sdk-rate-limits';
import { SDK_DEPS, SdkDeps } from '../sdk.deps';
import { parseInput } from '../sdk-input';
import type { SdkPrincipal } from '../auth/sdk-principal';
import { userSummary } from '../users/user-summary';

const tokenIdParam = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a token id');

// Changes a signed-in user makes to their own account. "Signed-in" = the call carries a user
// assertion this credential received from an accepted authentication minutes ago; the user is
// taken from it, never from the request.
@Injectable()
export class SelfServiceService {
  constructor(
    @Inject(SDK_DEPS) private readonly deps: SdkDeps,
    private readonly assertions: UserAssertions,
    private readonly limits: SdkRateLimits,
  ) {}

  async me(principal: SdkPrincipal, assertion: string | undefined): Promise<UserSummary> {
    const user = await this.signedIn(principal, assertion);
    return this.summary(user.userId);
  }

  async changePin(principal: SdkPrincipal, assertion: string | undefined, body: unknown): Promise<void> {
    const user = await this.signedIn(principal, assertion);
    const input = parseInput(ChangePinRequest, body);
    this.limits.user(user.userId);
    await this.deps.commands.setPin(user.userId, { pin: input.pin }, this.actor(principal, user));
    this.deps.logger.info({ credential: principal.name, userId: user.userId, op: 'self-service.pin' }, 'SDK self-service change');
  }

  async changePhone(principal: SdkPrincipal, assertion: string | undefined, body: unknown): Promise<UserSummary> {
    const user = await this.signedIn(principal, assertion);
    const input = parseInput(ChangePhoneRequest, body);
    this.limits.user(user.userId);
    const current = await this.deps.commands.getUser(user.userId);
    // The new number becomes the primary (first) phone; the other numbers stay.
    const phones = [{ label: input.label, number: input.number }, ...current.phones.slice(1)];
    await this.deps.commands.updateUser(user.userId, { phones }, this.actor(principal, user));
    this.deps.logger.info({ credential: principal.name, userId: user.userId, op: 'self-service.phone' }, 'SDK self-service change');
    return this.summary(user.userId);
  }

  async enrollToken(principal: SdkPrincipal, assertion: string | undefined, body: unknown): Promise<TokenEnrolled> {
    const user = await this.signedIn(principal, assertion);
    const input = parseInput(EnrollTokenRequest, body);
    this.limits.user(user.userId);
    const enrolled = await this.deps.commands.assignOathToken(user.userId, { kind: 'totp', label: input.label }, this.actor(principal, user), ['svg', 'png']);
    this.deps.logger.info({ credential: principal.name, userId: user.userId, tokenId: enrolled.token?.tokenId, op: 'self-service.token' }, 'SDK self-service change');
    const t = enrolled.token!;
    return {
      token: { tokenId: t.tokenId, kind: t.kind, label: t.label, digits: t.digits, createdAt: t.createdAt },
      // The SDK contract promises both renderings (one enrollment per user, so the cost is paid rarely).
      otpauthUri: enrolled.otpauthUri, qrSvg: enrolled.qrSvg!, qrPngBase64: enrolled.qrPngBase64!,
    };
  }

  async removeToken(principal: SdkPrincipal, assertion: string | undefined, tokenId: string): Promise<void> {
    const user = await this.signedIn(principal, assertion);
    const id = parseInput(tokenIdParam, tokenId, 'tokenId');
    this.limits.user(user.userId);
    await this.deps.commands.removeOathToken(user.userId, id, this.actor(principal, user));
    this.deps.logger.info({ credential: principal.name, userId: user.userId, tokenId: id, op: 'self-service.token-removed' }, 'SDK self-service change');
  }

  async reportFraud(principal: SdkPrincipal, assertion: string | undefined, body: unknown): Promise<FraudReported> {
    const user = await this.signedIn(principal, assertion);
    const input = parseInput(FraudReportRequest, body);
    this.limits.user(user.userId);
    await this.deps.commands.security.record({ kind: 'fraud', userId: user.userId, reason: input.reason ?? 'reported by the user through self-service', source: `sdk:${principal.credentialId}` });
    this.deps.logger.warn({ credential: principal.name, userId: user.userId, op: 'self-service.fraud' }, 'fraud reported through the SDK');
    const after = await this.deps.commands.getUser(user.userId);
    return { blocked: after.blocked, blockedUntil: after.blocked ? after.blockedUntil : null };
  }

  // The same gate as authentication (disabled, blocked, locked), and nothing signed in before a
  // disable, lock, block or PIN/password change still counts.
  async signedIn(principal: SdkPrincipal, assertion: string | undefined): Promise<UserAssertion> {
    const user = this.assertions.open(principal.credentialId, assertion);
    const state = await this.deps.queries.getUserState(user.userId);
    if (!state || !state.exists || state.deleted) throw new SdkError('unknown_user', 'the signed-in user no longer exists');
    const allowed = canAuthenticate(state, new Date());
    if (!allowed.ok) {
      throw new SdkError(gateReason(allowed.error.code), `the signed-in user cannot use self-service: ${allowed.error.message}`);
    }
    if (user.sessionVersion !== sessionVersionOf(state)) {
      throw new SdkError('user_assertion_invalid', 'the account was disabled, locked, blocked or its PIN changed since this sign-in; authenticate the user again');
    }
    return user;
  }

  async summary(userId: string): Promise<UserSummary> {
    const user = await this.deps.commands.getUser(userId);
    const [tokens, settings] = await Promise.all([this.deps.queries.getTokens(userId), this.deps.queries.getSettings()]);
    return userSummary(user, tokens, settings, { fullPhones: true });
  }

  private actor(principal: SdkPrincipal, user: UserAssertion): Actor {
    return { actor: `sdk:${principal.name}`, correlationId: `self-service:${user.userId}` };
  }
}
