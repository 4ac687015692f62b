import { applyDecorators, Controller, Delete, Get, HttpCode, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';

// Every /admin/v1 controller: behind the administrator's bearer token.
export const AdminController = (path: string) => applyDecorators(Controller(path), UseGuards(AdminAuthGuard));

export type AdminMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

const VERBS = { get: Get, post: Post, put: Put, patch: Patch, delete: Delete } satisfies Record<AdminMethod, (path?: string | string[]) => MethodDecorator>;

// One route: its method and path and (when not Nest's default) its status.
export const AdminRoute = (method: AdminMethod, path: string | string[] = '', status?: number) =>
  applyDecorators(VERBS[method](path), ...(status === undefined ? [] : [HttpCode(status)]));
