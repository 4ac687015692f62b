import { DomainErrorCode } from '@twofold/domain';
import { httpStatusForCode, isPublicStatus } from './error-status';

describe('one error table', () => {
  it('gives every domain error code a status of its own, none by guessing', () => {
    for (const code of Object.values(DomainErrorCode)) expect([400, 401, 403, 404, 409, 500]).toContain(httpStatusForCode(code));
  });

  it('answers a used one-time code as a conflict, not an internal error', () => {
    expect(httpStatusForCode(DomainErrorCode.CodeAlreadyUsed)).toBe(409);
  });

  it('settles the codes the admin API and the SDK used to answer differently', () => {
    expect(httpStatusForCode(DomainErrorCode.UserDisabled)).toBe(403);
    expect(httpStatusForCode(DomainErrorCode.ScopeNotGranted)).toBe(403);
    expect(httpStatusForCode('read_model_timeout')).toBe(503);
  });

  it('keeps the server\'s own failures internal, even when their code looks like bad input', () => {
    expect(httpStatusForCode(DomainErrorCode.InvalidSecretKey)).toBe(500);
    expect(isPublicStatus(httpStatusForCode(DomainErrorCode.SecretUnreadable))).toBe(false);
    expect(isPublicStatus(httpStatusForCode('master_unavailable'))).toBe(true);
  });
});
