export type SealedStateErrorCode =
  | 'malformed'      // not a token of ours (bad encoding, truncated, unknown version)
  | 'bad_key'        // sealed under a key id this node does not hold
  | 'tampered'       // authentication failed: modified, or sealed under another key with the same id
  | 'expired'
  | 'wrong_purpose'
  | 'wrong_client'
  | 'invalid_claims' // seal() was given claims it cannot encode
  | 'too_large';     // the RADIUS form would exceed 253 bytes

export class SealedStateError extends Error {
  constructor(readonly code: SealedStateErrorCode, message: string) {
    super(message);
    this.name = 'SealedStateError';
  }
}
