import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { SdkScope } from '@twofold/sdk-client';

export interface SdkPrincipal {
  credentialId: string;
  name: string;
  scopes: SdkScope[];
  via: 'certificate' | 'secret';
}

export type SdkRequest = Request & { sdk?: SdkPrincipal };

export const SDK_SCOPE_KEY = 'twofold:sdk-scope';

// The scope a route needs; the guard refuses the call without it.
export const RequireScope = (scope: SdkScope) => SetMetadata(SDK_SCOPE_KEY, scope);

export const Principal = createParamDecorator((_: unknown, ctx: ExecutionContext): SdkPrincipal => {
  const principal = ctx.switchToHttp().getRequest<SdkRequest>().sdk;
  if (!principal) throw new Error('SdkAuthGuard did not run');
  return principal;
});

// The raw X-User-Assertion header (checked by the self-service service).
export const UserAssertionHeader = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const header = ctx.switchToHttp().getRequest<Request>().headers['x-user-assertion'];
  return typeof header === 'string' ? header : undefined;
});
