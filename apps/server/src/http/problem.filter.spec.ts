import pino from 'pino';
import { DomainError, DomainErrorCode } from '@twofold/domain';
import { SdkProblemFilter } from '../../../../libs/sdk/src/errors/sdk-problem.filter';
import { ProblemFilter } from './problem.filter';

// Both HTTP transports answer the same error with the same status and code.
function answer(filter: { catch(e: unknown, host: never): void }, error: unknown): { status: number; code: string } {
  const out = { status: 0, code: '' };
  const res = {
    headersSent: false,
    status(s: number) { out.status = s; return res; },
    type() { return res; },
    json(body: { code: string }) { out.code = body.code; return res; },
    setHeader() { return res; },
  };
  const host = { switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ path: '/x' }) }) };
  filter.catch(error, host as never);
  return out;
}

describe('admin API and SDK problem answers', () => {
  const logger = pino({ level: 'silent' });
  const admin = new ProblemFilter(logger);
  const sdk = new SdkProblemFilter({ logger } as never);

  it.each(Object.values(DomainErrorCode))('agree on %s', (code) => {
    const error = new DomainError(code, 'a rule');
    expect(answer(admin, error)).toEqual(answer(sdk, error));
  });

  it('answers a used one-time code with 409 code_already_used on both', () => {
    const error = new DomainError(DomainErrorCode.CodeAlreadyUsed, 'This code has already been used.');
    expect(answer(admin, error)).toEqual({ status: 409, code: 'code_already_used' });
    expect(answer(sdk, error)).toEqual({ status: 409, code: 'code_already_used' });
  });

  it('hides a server-side failure as internal on both', () => {
    const error = new DomainError(DomainErrorCode.SecretUnreadable, 'cannot open');
    expect(answer(admin, error)).toEqual({ status: 500, code: 'internal' });
    expect(answer(sdk, error)).toEqual({ status: 500, code: 'internal' });
  });
});
