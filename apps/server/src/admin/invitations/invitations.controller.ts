import { Body, Controller, Inject, Param, Post, UseGuards } from '@nestjs/common';
import type { Actor } from '@twofold/commands';
import { RUNTIME } from '../../node/runtime.token';
import type { NodeRuntime } from '../../node/node-runtime';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor } from '../auth/actor';

// A one-time invitation code for a user without a second factor yet (the User Portal takes it).
@Controller('admin/v1/users')
@UseGuards(AdminAuthGuard)
export class InvitationsController {
  constructor(@Inject(RUNTIME) private readonly runtime: NodeRuntime) {}

  @Post(':user/invitations')
  async invite(@Param('user') ref: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    const user = await this.runtime.commands.resolveUser(ref);
    const issued = await this.runtime.commands.invitations.issue(user.userId, body ?? {}, actor);
    return { ...issued, username: user.username };
  }
}
