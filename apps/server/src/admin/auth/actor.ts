import { createParamDecorator, ExecutionContext, BadRequestException } from '@nestjs/common';
import type { Actor } from '@twofold/commands';
import type { AdminRequest } from './admin-auth.guard';

// The administrator behind the request, as event metadata names them.
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<AdminRequest>();
  const header = req.headers['x-correlation-id'];
  return {
    actor: `admin:${req.admin?.name}`,
    adminId: req.admin?.adminId,
    correlationId: typeof header === 'string' && header.length <= 128 ? header : undefined,
  };
});

// `If-Match: "3"` (or 3) -> expected stream version 3.
export const ExpectedVersion = createParamDecorator((_: unknown, ctx: ExecutionContext): number | undefined => {
  const header = ctx.switchToHttp().getRequest<AdminRequest>().headers['if-match'];
  if (header === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(String(header));
  if (!m) throw new BadRequestException({ code: 'validation_failed', message: 'If-Match must hold a version number, like "3"' });
  return Number(m[1]);
});
