import { Body, HttpException, Inject, Param } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import type { UserView } from '@twofold/read-model';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor } from '../auth/actor';
import { InvitationChannel, InvitationSender } from './invitation-sender';
import { UserInPath } from '../users/user-in-path.pipe';

// A one-time invitation code for a user without a second factor yet (the User Portal takes it).
// body: { validHours?: 1..720, send?: "sms" | "email" }. Sent, the code goes to the user only:
// the answer says where it went instead of showing it.
@AdminController('admin/v1/users')
export class InvitationsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService, @Inject(InvitationSender) private readonly sender: InvitationSender) {}

  @AdminRoute('post', ':user/invitations')
  async invite(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    const { send, ...rest } = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as { send?: unknown };
    if (send !== undefined && send !== 'sms' && send !== 'email') {
      throw new HttpException({ code: 'validation_failed', message: 'send: must be "sms" or "email" (or left out to show the code)' }, 400);
    }
    const to = send ? this.sender.recipient(user, send as InvitationChannel) : undefined;
    const issued = await this.commands.invitations.issue(user.userId, rest, actor);
    if (!send || !to) return { ...issued, username: user.username };
    const sent = await this.sender.send(user, send as InvitationChannel, to, issued);
    return { invitationId: issued.invitationId, userId: issued.userId, username: user.username, expiresAt: issued.expiresAt, ...sent };
  }
}
