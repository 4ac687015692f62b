import { applyDecorators, Controller, Delete, Get, HttpCode, Post, Put, UseFilters, UseGuards } from '@nestjs/common';
import type { HttpMethod, SdkScope } from '@twofold/sdk-client';
import { SdkProblemFilter } from '../errors/sdk-problem.filter';
import { SdkAuthGuard } from './sdk-auth.guard';
import { RequireScope } from './sdk-principal';

// Every /sdk/v1 controller: the credential guard and the problem+json answers.
export const SdkController = (path: string) => applyDecorators(Controller(path), UseGuards(SdkAuthGuard), UseFilters(SdkProblemFilter));

const VERBS = { get: Get, post: Post, put: Put, delete: Delete } satisfies Record<HttpMethod, (path: string) => MethodDecorator>;

// One route: its method and path, the scope it needs and (when not Nest's default) its status.
export const SdkRoute = (method: HttpMethod, path: string, scope: SdkScope, status?: number) =>
  applyDecorators(VERBS[method](path), ...(status === undefined ? [] : [HttpCode(status)]), RequireScope(scope));
