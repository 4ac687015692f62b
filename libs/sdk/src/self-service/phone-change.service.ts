import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { phoneNumberField } from '@twofold/domain';
import { BeginPhoneChangeRequest, ConfirmPhoneChangeRequest, PhoneChangeStarted, UserSummary } from '@twofold/sdk-client';
import { generateNumericOtp, hashOtpForState, verifyOtpForState } from '@twofold/mfa';
import { SdkError } from '../errors/sdk-error';
import { parseInput } from '../sdk-input';
import type { SdkPrincipal } from '../auth/sdk-principal';
import { SelfServiceFeature } from './self-service-feature';

export const PHONE_CHANGE_PURPOSE = 'sdk-phone-change';
const PHONE_CHANGE_TTL_MS = 10 * 60_000;

// A new phone number proves itself before it is recorded: a code goes to it, and the number, a
// hash of the code and the user's version travel sealed in the handle (no node keeps anything).
// The confirm writes with that version as the expected one, so a handle works once, and never
// after any other change to the user.
@Injectable()
export class PhoneChangeService extends SelfServiceFeature {
  async begin(principal: SdkPrincipal, assertion: string | undefined, body: unknown): Promise<PhoneChangeStarted> {
    const user = await this.selfService.signedIn(principal, assertion);
    const input = parseInput(BeginPhoneChangeRequest, body);
    const number = phoneNumberField.safeParse(input.number);
    if (!number.success) throw new SdkError('validation_failed', `number: ${number.error.issues[0].message}`, { field: 'number' });
    this.limits.user(user.userId);
    if (!this.deps.delivery) throw new SdkError('not_ready', 'this node cannot send codes');
    const current = await this.deps.commands.getUser(user.userId);
    const code = generateNumericOtp(6);
    const nonce = randomBytes(16).toString('base64url');
    const expiresAt = Date.now() + PHONE_CHANGE_TTL_MS;
    const change = this.deps.stateSealer.sealToString({
      purpose: PHONE_CHANGE_PURPOSE, userId: user.userId, clientId: principal.credentialId, expiresAt, nonce,
      data: { n: number.data, l: input.label, h: hashOtpForState(code, nonce), v: current.version },
    });
    try {
      await this.deps.delivery.send({ channel: 'sms', to: number.data, userId: user.userId, text: `Your code to confirm this phone number for Twofold is ${code}` });
    } catch {
      throw new SdkError('authentication_unavailable', 'the code could not be sent; try again shortly', { retryAfterSeconds: 5 });
    }
    this.deps.logger.info({ credential: principal.name, userId: user.userId, op: 'self-service.phone-change-started' }, 'SDK self-service change');
    return { change, number: number.data, expiresAt: new Date(expiresAt).toISOString() };
  }

  async confirm(principal: SdkPrincipal, assertion: string | undefined, body: unknown): Promise<UserSummary> {
    const user = await this.selfService.signedIn(principal, assertion);
    const input = parseInput(ConfirmPhoneChangeRequest, body);
    this.limits.user(user.userId);
    const claims = this.openHandle(principal, user.userId, input.change, PHONE_CHANGE_PURPOSE, 'the phone change', 'change');
    if (!verifyOtpForState(input.code, claims.nonce, claims.data?.h)) throw new SdkError('invalid_code', 'the code does not match the one sent to the new number', { field: 'code' });
    const current = await this.deps.commands.getUser(user.userId);
    const phones = [{ label: String(claims.data?.l ?? 'mobile'), number: String(claims.data?.n) }, ...current.phones.slice(1)];
    const actor = { actor: `sdk:${principal.name}`, correlationId: `self-service:${user.userId}` };
    await this.deps.commands.updateUser(user.userId, { phones }, actor, Number(claims.data?.v));
    this.deps.logger.info({ credential: principal.name, userId: user.userId, op: 'self-service.phone-confirmed' }, 'SDK self-service change');
    return this.selfService.summary(user.userId);
  }
}
