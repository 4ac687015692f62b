import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import type { Actor } from '@twofold/commands';
import { RUNTIME } from '../../node/runtime.token';
import type { NodeRuntime } from '../../node/node-runtime';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor } from '../auth/actor';

@Controller('admin/v1/administrators')
@UseGuards(AdminAuthGuard)
export class AdministratorsController {
  constructor(@Inject(RUNTIME) private readonly runtime: NodeRuntime) {}

  @Post()
  add(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.runtime.commands.access.addAdministrator(body, actor);
  }

  @Get()
  list() {
    return this.runtime.commands.access.listAdministrators();
  }

  @Delete(':admin')
  @HttpCode(204)
  async remove(@Param('admin') admin: string, @CurrentActor() actor: Actor) {
    await this.runtime.commands.access.removeAdministrator(admin, actor);
  }
}
