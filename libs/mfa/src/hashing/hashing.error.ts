export type HashingErrorCode = 'invalid_options' | 'hash_failed';

export class HashingError extends Error {
  constructor(readonly code: HashingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HashingError';
  }
}
