import { Body, Inject, Param } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor } from '../auth/actor';

@AdminController('admin/v1/administrators')
export class AdministratorsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @AdminRoute('post')
  add(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.access.addAdministrator(body, actor);
  }

  @AdminRoute('get')
  list() {
    return this.commands.access.listAdministrators();
  }

  @AdminRoute('delete', ':admin', 204)
  async remove(@Param('admin') admin: string, @CurrentActor() actor: Actor) {
    await this.commands.access.removeAdministrator(admin, actor);
  }
}
