import { applyDecorators, Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, UseFilters, UseGuards, type Type } from '@nestjs/common';
import { sdkOperation, type HttpMethod, type SdkScope } from '@twofold/sdk-client';
import { SdkProblemFilter } from '../errors/sdk-problem.filter';
import { SdkAuthGuard } from './sdk-auth.guard';
import { Principal, RequireScope, UserAssertionHeader } from './sdk-principal';

// Every /sdk/v1 controller: the credential guard and the problem+json answers.
export const SdkController = (path: string) => applyDecorators(Controller(path), UseGuards(SdkAuthGuard), UseFilters(SdkProblemFilter));

const VERBS = { get: Get, post: Post, put: Put, delete: Delete } satisfies Record<HttpMethod, (path: string) => MethodDecorator>;

// One route: its method and path, the scope it needs and (when not Nest's default) its status.
export const SdkRoute = (method: HttpMethod, path: string, scope: SdkScope, status?: number) =>
  applyDecorators(VERBS[method](path), ...(status === undefined ? [] : [HttpCode(status)]), RequireScope(scope));

// A controller of contract operations (SDK_OPERATIONS, operationId -> service method) that only
// hand the call on. Each route is served as its operation declares it (method, path, scope,
// status) and passes to its method, in order: the principal, the X-User-Assertion header (a
// userAssertion operation), the path parameters, the body (an operation with a request).
export function sdkOperationsController<S extends object>(name: string, service: Type<S>, routes: Record<string, keyof S & string>): Type<unknown> {
  @SdkController('')
  class OperationsController {
    constructor(@Inject(service) readonly service: S) {}
  }
  const proto = OperationsController.prototype as unknown as Record<string, unknown>;
  for (const [operationId, method] of Object.entries(routes)) {
    const op = sdkOperation(operationId);
    if (op.scope === null) throw new Error(`SDK operation ${operationId} needs no credential: not a forwarded route`);
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const args = [Principal(), ...(op.userAssertion ? [UserAssertionHeader()] : []), ...params.map((p) => Param(p)), ...(op.request ? [Body()] : [])];
    proto[operationId] = function (this: OperationsController, ...values: unknown[]) {
      return (this.service[method] as (...values: unknown[]) => unknown).apply(this.service, values);
    };
    args.forEach((decorate, index) => decorate(proto, operationId, index));
    const path = op.path.slice(1).replace(/\{(\w+)\}/g, ':$1');
    SdkRoute(op.method, path, op.scope, op.response.status)(proto, operationId, Object.getOwnPropertyDescriptor(proto, operationId)!);
  }
  Object.defineProperty(OperationsController, 'name', { value: name });
  return OperationsController;
}
