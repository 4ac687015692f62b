import { Param } from '@nestjs/common';
import type { Actor } from '@twofold/commands';
import { AdminCollection } from '../admin-collection';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor } from '../auth/actor';

// Each credential is returned once, when added.
@AdminController('admin/v1/administrators')
export class AdministratorsController extends AdminCollection(({ access }) => ({ add: access.addAdministrator, list: access.listAdministrators })) {
  @AdminRoute('delete', ':admin', 204)
  async remove(@Param('admin') admin: string, @CurrentActor() actor: Actor) {
    await this.commands.access.removeAdministrator(admin, actor);
  }
}
