import { Body, Controller, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import type { UserView } from '@twofold/read-model';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor } from '../auth/actor';
import { UserInPath } from '../users/user-in-path.pipe';

// A one-time invitation code for a user without a second factor yet (the User Portal takes it).
@Controller('admin/v1/users')
@UseGuards(AdminAuthGuard)
export class InvitationsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post(':user/invitations')
  async invite(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    const issued = await this.commands.invitations.issue(user.userId, body ?? {}, actor);
    return { ...issued, username: user.username };
  }
}
