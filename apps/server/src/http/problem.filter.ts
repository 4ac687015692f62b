import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { hasErrorCode } from '@twofold/domain';
import { httpStatusForCode, isPublicStatus } from '@twofold/platform';

interface CodedFields { field?: string; rule?: string; issues?: unknown[]; details?: Record<string, unknown> }

// Every error leaves as JSON with a stable machine-readable `code` (RFC 9457 problem details).
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const body = this.toProblem(exception, req);
    if (body.status >= 500) this.logger.error({ err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : String(exception), path: req.path }, 'request failed');
    if (res.headersSent) return;
    res.status(body.status).type('application/problem+json').json(body);
  }

  private toProblem(exception: unknown, req: Request): Record<string, unknown> & { status: number } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse() as { code?: string; message?: string } | string;
      const code = typeof response === 'object' && response.code ? response.code : this.codeForHttp(status, exception);
      const detail = typeof response === 'object' ? response.message ?? exception.message : response;
      return { type: `urn:twofold:error:${code}`, title: code, status, code, detail, instance: req.path };
    }
    if (hasErrorCode(exception)) {
      const err = exception as typeof exception & CodedFields;
      const status = httpStatusForCode(err.code);
      if (isPublicStatus(status)) {
        return {
          type: `urn:twofold:error:${err.code}`, title: err.code, status, code: err.code, detail: err.message,
          ...(err.field ? { field: err.field } : {}), ...(err.rule ? { rule: err.rule } : {}),
          ...(err.issues && err.issues.length > 1 ? { issues: err.issues } : {}), ...(err.details ?? {}), instance: req.path,
        };
      }
    }
    return { type: 'urn:twofold:error:internal', title: 'internal', status: 500, code: 'internal', detail: 'internal error', instance: req.path };
  }

  private codeForHttp(status: number, exception: HttpException): string {
    const type = (exception as unknown as { type?: string }).type;
    if (status === 413 || type === 'entity.too.large') return 'payload_too_large';
    if (status === 404) return 'not_found';
    if (status === 401) return 'unauthenticated';
    if (status === 403) return 'forbidden';
    if (status === 415) return 'unsupported_media_type';
    if (status === 400) return 'invalid_request';
    return `http_${status}`;
  }
}
