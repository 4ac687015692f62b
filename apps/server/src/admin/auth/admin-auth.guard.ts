import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { verifyAdminToken } from '@twofold/commands';
import { ReadModelQueries } from '@twofold/read-model';

export interface AdminPrincipal { adminId: string; name: string }
export type AdminRequest = Request & { admin?: AdminPrincipal };

// Administrators present `Authorization: Bearer <adminId>.<secret>` over HTTPS.
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(@Inject(ReadModelQueries) private readonly queries: ReadModelQueries) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AdminRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedException({ code: 'unauthenticated', message: 'an administrator credential is required (Authorization: Bearer <token>)' });
    const admin = await verifyAdminToken(this.queries, match[1]);
    if (!admin) throw new UnauthorizedException({ code: 'unauthenticated', message: 'the administrator credential is not valid' });
    req.admin = { adminId: admin.adminId, name: admin.name };
    return true;
  }
}
