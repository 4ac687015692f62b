import type { FirstFactorMode, UserState } from '@twofold/domain';

export type FirstFactorResult =
  | { ok: true }
  | { ok: false; reason: 'invalid_credentials' }
  // The directory or upstream server could not answer: not the user's fault, not a failed attempt.
  | { ok: false; reason: 'unavailable'; detail: string };

export interface FirstFactorInput {
  username: string;
  password: string;
  user: UserState;
}

export interface FirstFactorProvider {
  readonly mode: FirstFactorMode;
  verify(input: FirstFactorInput): Promise<FirstFactorResult>;
}

export type FirstFactorErrorCode = 'invalid_config';

export class FirstFactorError extends Error {
  constructor(readonly code: FirstFactorErrorCode, message: string) {
    super(message);
    this.name = 'FirstFactorError';
  }
}

// 'none': the RADIUS client (or an earlier step) already checked the password.
export class NoFirstFactor implements FirstFactorProvider {
  readonly mode = 'none' as const;

  async verify(): Promise<FirstFactorResult> {
    return { ok: true };
  }
}
