import { Controller, Delete, Get, HttpCode, Inject, Param, UseGuards } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import type { UserView } from '@twofold/read-model';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor } from '../auth/actor';
import { UserInPath } from '../users/user-in-path.pipe';

// A user's mobile-app devices (activated through the Mobile App Web Service): list and remove.
@Controller('admin/v1/users')
@UseGuards(AdminAuthGuard)
export class DevicesController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Get(':user/devices')
  async list(@Param('user', UserInPath) user: UserView) {
    return (await this.commands.devices.list(user.userId)).map(({ publicKey: _key, ...device }) => device);
  }

  @Delete(':user/devices/:deviceId')
  @HttpCode(204)
  async remove(@Param('user', UserInPath) user: UserView, @Param('deviceId') deviceId: string, @CurrentActor() actor: Actor) {
    await this.commands.devices.remove(user.userId, deviceId, actor);
  }
}
