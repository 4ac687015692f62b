import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor } from '../auth/actor';

@Controller('admin/v1/administrators')
@UseGuards(AdminAuthGuard)
export class AdministratorsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  add(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.access.addAdministrator(body, actor);
  }

  @Get()
  list() {
    return this.commands.access.listAdministrators();
  }

  @Delete(':admin')
  @HttpCode(204)
  async remove(@Param('admin') admin: string, @CurrentActor() actor: Actor) {
    await this.commands.access.removeAdministrator(admin, actor);
  }
}
