import { Inject, Injectable } from '@nestjs/common';
import { SdkError } from '../errors/sdk-error';
import { SDK_OPTIONS, SdkOptions } from '../sdk.deps';
import { RateLimiter } from '@twofold/mfa';

// The two limits of the SDK: every call per credential, and guessable operations per user.
@Injectable()
export class SdkRateLimits {
  private readonly perCredential: RateLimiter;
  private readonly perUser: RateLimiter;

  constructor(@Inject(SDK_OPTIONS) options: SdkOptions) {
    this.perCredential = new RateLimiter(options.perCredential);
    this.perUser = new RateLimiter(options.perUser);
  }

  credential(credentialId: string): void {
    const decision = this.perCredential.take(credentialId);
    if (!decision.ok) throw new SdkError('rate_limited', 'too many requests for this SDK credential', { retryAfterSeconds: decision.retryAfterSeconds });
  }

  // Keyed by user id when known, else by the name asked for (so unknown names are limited too).
  user(key: string): void {
    const decision = this.perUser.take(key);
    if (!decision.ok) throw new SdkError('rate_limited', 'too many requests for this user', { retryAfterSeconds: decision.retryAfterSeconds });
  }
}
