export type OathErrorCode = 'invalid_options' | 'invalid_seed';

// Thrown only for caller mistakes (bad options, empty seed), never for a wrong code:
// a wrong code is a normal `{ ok: false }` result.
export class OathError extends Error {
  constructor(readonly code: OathErrorCode, message: string) {
    super(message);
    this.name = 'OathError';
  }
}
