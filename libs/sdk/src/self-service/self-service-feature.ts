import { Inject, Injectable } from '@nestjs/common';
import type { OpenedStateClaims } from '@twofold/mfa';
import { SdkError } from '../errors/sdk-error';
import { SdkRateLimits } from '../rate-limit/sdk-rate-limits';
import { SDK_DEPS, SdkDeps } from '../sdk.deps';
import type { SdkPrincipal } from '../auth/sdk-principal';
import { SelfServiceService } from './self-service.service';

// What the self-service features built on SelfServiceService share: the deps, the signed-in
// check and the per-user limits, and opening the sealed handle a two-step change hands out.
@Injectable()
export abstract class SelfServiceFeature {
  constructor(
    @Inject(SDK_DEPS) protected readonly deps: SdkDeps,
    protected readonly selfService: SelfServiceService,
    protected readonly limits: SdkRateLimits,
  ) {}

  // The handle must be this purpose's, for this credential and this user, and not expired.
  protected openHandle(principal: SdkPrincipal, userId: string, handle: string, purpose: string, what: string, field: string): OpenedStateClaims {
    let claims;
    try {
      claims = this.deps.stateSealer.open(handle, { purpose, nowMs: Date.now(), clientId: principal.credentialId });
    } catch {
      throw new SdkError('invalid_enrolment', `${what} has expired or is not valid; start it again`, { field });
    }
    if (claims.userId !== userId) throw new SdkError('invalid_enrolment', `${what} belongs to another user`, { field });
    return claims;
  }
}
