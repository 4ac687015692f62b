import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SDK_DEPS, SdkDeps } from '../sdk.deps';
import { hasErrorCode } from '@twofold/domain';
import { httpStatusForCode, isPublicStatus } from '@twofold/platform';

interface CodedFields { field?: string; rule?: string; issues?: unknown[]; details?: { retryAfterSeconds?: number; issues?: unknown[]; field?: string } }

// Every /sdk/v1 error leaves as RFC 9457 problem details with a stable `code`; 429 adds Retry-After.
@Catch()
export class SdkProblemFilter implements ExceptionFilter {
  constructor(@Inject(SDK_DEPS) private readonly deps: SdkDeps) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const body = this.toProblem(exception, req.path);
    if (body.status >= 500 && body.code === 'internal') {
      this.deps.logger.error({ err: exception instanceof Error ? { name: exception.name, message: exception.message, stack: exception.stack } : typeof exception, path: req.path }, 'SDK request failed');
    }
    if (res.headersSent) return;
    if (typeof body.retryAfterSeconds === 'number') res.setHeader('Retry-After', String(body.retryAfterSeconds));
    res.status(body.status).type('application/problem+json').json(body);
  }

  private toProblem(exception: unknown, path: string): Record<string, unknown> & { status: number; code: string; retryAfterSeconds?: number } {
    const problem = (code: string, status: number, detail: string, extra: Record<string, unknown> = {}) =>
      ({ type: `urn:twofold:error:${code}`, title: code, status, code, detail, ...extra, instance: path });
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = status === 404 ? 'not_found' : status === 413 ? 'payload_too_large' : status === 400 ? 'invalid_request' : `http_${status}`;
      return problem(code, status, exception.message);
    }
    if (hasErrorCode(exception)) {
      const err = exception as typeof exception & CodedFields;
      const status = httpStatusForCode(err.code);
      if (isPublicStatus(status)) {
        const field = err.field ?? err.details?.field;
        const issues = (err.issues && err.issues.length > 1 ? err.issues : undefined) ?? (err.details?.issues && err.details.issues.length > 1 ? err.details.issues : undefined);
        const extra: Record<string, unknown> = {
          ...(field ? { field } : {}), ...(err.rule ? { rule: err.rule } : {}), ...(issues ? { issues } : {}),
          ...(typeof err.details?.retryAfterSeconds === 'number' ? { retryAfterSeconds: err.details.retryAfterSeconds } : {}),
        };
        return problem(err.code, status, err.message, extra) as ReturnType<SdkProblemFilter['toProblem']>;
      }
    }
    return problem('internal', 500, 'internal error');
  }
}
