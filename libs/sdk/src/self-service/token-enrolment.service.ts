import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { base32Decode, base32Encode } from '@twofold/domain';
import {
  Activity, ActivityEntry, BeginTokenEnrolmentRequest, ConfirmTokenEnrolmentRequest, TokenConfirmed, TokenEnrolmentStarted,
} from '@twofold/sdk-client';
import { buildOtpauthUri, renderQr, verifyTotp } from '@twofold/mfa';
import { SdkError } from '../errors/sdk-error';
import { parseInput } from '../sdk-input';
import type { SdkPrincipal } from '../auth/sdk-principal';
import { SelfServiceFeature } from './self-service-feature';

export const TOKEN_ENROLMENT_PURPOSE = 'sdk-token-enrolment';
const ENROLMENT_TTL_MS = 10 * 60_000;
const SEED_BYTES = 20;

// Activity a user may see of their own stream: what happened, never a secret.
const ACTIVITY: Record<string, ActivityEntry['kind']> = {
  AuthenticationSucceeded: 'signed_in', AuthenticationFailed: 'sign_in_failed', UserLockedOut: 'locked_out', UserUnlocked: 'unlocked',
  UserBlockedForFraud: 'blocked', UserFraudUnblocked: 'unblocked', UserEnabled: 'enabled', UserDisabled: 'disabled',
  UserPinSet: 'pin_changed', UserPinCleared: 'pin_removed', UserPasswordSet: 'password_changed',
  OathTokenAssigned: 'token_added', OathTokenRemoved: 'token_removed', UserUpdated: 'profile_changed',
};

// TOTP enrolment in two steps, with nothing held by any node in between: the new seed travels
// sealed (cluster key, bound to the credential and the user, 10 minutes) until the user proves
// with one code that the app has it; only then is the token recorded. The token id is the
// handle's nonce, so a handle confirms once.
@Injectable()
export class TokenEnrolmentService extends SelfServiceFeature {
  async begin(principal: SdkPrincipal, assertion: string | undefined, body: unknown): Promise<TokenEnrolmentStarted> {
    const user = await this.selfService.signedIn(principal, assertion);
    // Nothing is sent or recorded, and nothing can be guessed here: no per-user limit.
    const input = parseInput(BeginTokenEnrolmentRequest, body);
    const secret = base32Encode(randomBytes(SEED_BYTES));
    const expiresAt = Date.now() + ENROLMENT_TTL_MS;
    const enrolment = this.deps.stateSealer.sealToString({
      purpose: TOKEN_ENROLMENT_PURPOSE, userId: user.userId, clientId: principal.credentialId, expiresAt, data: { s: secret, l: input.label },
    });
    const otpauthUri = buildOtpauthUri({ kind: 'totp', issuer: 'Twofold', account: user.username, seedBase32: secret, algorithm: 'SHA1', digits: 6, period: 30 });
    return { enrolment, secret, otpauthUri, qrSvg: await renderQr(otpauthUri, 'svg'), expiresAt: new Date(expiresAt).toISOString() };
  }

  async confirm(principal: SdkPrincipal, assertion: string | undefined, body: unknown): Promise<TokenConfirmed> {
    const user = await this.selfService.signedIn(principal, assertion);
    const input = parseInput(ConfirmTokenEnrolmentRequest, body);
    this.limits.user(user.userId);
    const claims = this.openHandle(principal, user.userId, input.enrolment, TOKEN_ENROLMENT_PURPOSE, 'the enrolment', 'enrolment');
    const secret = String(claims.data?.s ?? '');
    const checked = verifyTotp({ seed: base32Decode(secret), code: input.code, timeMs: Date.now(), driftSteps: 1 });
    if (!checked.ok) throw new SdkError('invalid_code', 'the code does not match the new token; check the app and the time on the phone', { field: 'code' });
    const tokenId = `t-${claims.nonce}`.slice(0, 64);
    const actor = { actor: `sdk:${principal.name}`, correlationId: `self-service:${user.userId}` };
    const assigned = await this.deps.commands.assignOathToken(user.userId, { kind: 'totp', tokenId, seed: secret, label: String(claims.data?.l ?? '') }, actor);
    // The code that confirmed the token is spent: it cannot sign anyone in afterwards.
    await this.deps.commands.security.record({ kind: 'code_used', userId: user.userId, tokenId, counter: checked.step, source: `sdk:${principal.credentialId}` });
    this.deps.logger.info({ credential: principal.name, userId: user.userId, tokenId, op: 'self-service.token-confirmed' }, 'SDK self-service change');
    const t = assigned.token!;
    return { token: { tokenId: t.tokenId, kind: t.kind, label: t.label, digits: t.digits, createdAt: t.createdAt } };
  }

  async activity(principal: SdkPrincipal, assertion: string | undefined): Promise<Activity> {
    const user = await this.selfService.signedIn(principal, assertion);
    const events = await this.deps.store.readStream(`user-${user.userId}`);
    const entries: ActivityEntry[] = [];
    for (let i = events.length - 1; i >= 0 && entries.length < 50; i--) {
      const e = events[i];
      let kind = ACTIVITY[e.type];
      if (!kind) continue;
      if (e.type === 'UserUpdated' && e.payload.contact !== undefined) kind = 'contact_changed';
      const where = typeof e.payload.source === 'string' ? e.payload.source : e.metadata.actor;
      entries.push({ at: e.timestamp, kind, where: where.slice(0, 128), node: e.metadata.nodeId });
    }
    return { entries };
  }
}
