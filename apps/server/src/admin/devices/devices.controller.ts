import { Inject, Param } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import type { UserView } from '@twofold/read-model';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor } from '../auth/actor';
import { UserInPath } from '../users/user-in-path.pipe';

// A user's mobile-app devices (activated through the Mobile App Web Service): list and remove.
@AdminController('admin/v1/users')
export class DevicesController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @AdminRoute('get', ':user/devices')
  async list(@Param('user', UserInPath) user: UserView) {
    return (await this.commands.devices.list(user.userId)).map(({ publicKey: _key, ...device }) => device);
  }

  @AdminRoute('delete', ':user/devices/:deviceId', 204)
  async remove(@Param('user', UserInPath) user: UserView, @Param('deviceId') deviceId: string, @CurrentActor() actor: Actor) {
    await this.commands.devices.remove(user.userId, deviceId, actor);
  }
}
