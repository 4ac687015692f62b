import { Inject, Injectable } from '@nestjs/common';
import { StateSealer } from '@twofold/mfa';
import { SdkError } from '../errors/sdk-error';
import { SDK_DEPS, SDK_OPTIONS, SdkDeps, SdkOptions } from '../sdk.deps';

export const USER_ASSERTION_PURPOSE = 'sdk-user-assertion';

// sessionVersion: the user's session version when the assertion was issued (undefined: issued by a
// release that did not record it, which is refused like a stale one).
export interface UserAssertion { userId: string; username: string; expiresAt: number; sessionVersion?: number }

// Proof that this credential authenticated this user a moment ago: what makes a self-service call
// "for the signed-in user". Sealed with the cluster key (any node checks it), bound to the credential.
@Injectable()
export class UserAssertions {
  private readonly sealer: StateSealer;

  constructor(@Inject(SDK_DEPS) deps: SdkDeps, @Inject(SDK_OPTIONS) private readonly options: SdkOptions) {
    this.sealer = deps.stateSealer;
  }

  issue(credentialId: string, userId: string, username: string, sessionVersion: number, now = Date.now()): { token: string; expiresAt: number } {
    const expiresAt = now + this.options.assertionTtlMs;
    return { token: this.sealer.sealToString({ purpose: USER_ASSERTION_PURPOSE, userId, clientId: credentialId, expiresAt, data: { u: username, s: sessionVersion } }), expiresAt };
  }

  open(credentialId: string, token: string | undefined, now = Date.now()): UserAssertion {
    if (token === undefined || token === '') throw new SdkError('user_assertion_required', 'self-service calls need the X-User-Assertion header from an accepted authentication');
    try {
      const claims = this.sealer.open(token.trim(), { purpose: USER_ASSERTION_PURPOSE, nowMs: now, clientId: credentialId });
      const sessionVersion = typeof claims.data?.s === 'number' ? claims.data.s : undefined;
      return { userId: claims.userId, username: String(claims.data?.u ?? ''), expiresAt: claims.expiresAt, ...(sessionVersion !== undefined ? { sessionVersion } : {}) };
    } catch {
      throw new SdkError('user_assertion_invalid', 'the user assertion is not valid for this credential or has expired; authenticate the user again');
    }
  }
}
