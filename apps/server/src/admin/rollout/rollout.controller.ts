import { Body, Inject, Param } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import type { UserView } from '@twofold/read-model';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor } from '../auth/actor';
import { UserInPath } from '../users/user-in-path.pipe';

// Staged rollout: one-time bypasses and the per-client policy for users without a second factor.
// (The list of users not enrolled yet is GET /admin/v1/users?notEnrolled=true.)
@AdminController('admin/v1')
export class RolloutController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  // body: { seconds, reason, once? }
  @AdminRoute('post', 'users/:user/bypass', 200)
  bypass(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.rollout.grantBypass(user.userId, body, actor);
  }

  // Ends the user's bypass early (409 bypass_not_active when there is none to end).
  @AdminRoute('delete', 'users/:user/bypass')
  revoke(@Param('user', UserInPath) user: UserView, @CurrentActor() actor: Actor) {
    return this.commands.rollout.revokeBypass(user.userId, actor);
  }

  // body: { unenrolled: 'reject' | 'first-factor-only' }
  @AdminRoute('put', 'radius-clients/:client/rollout')
  async radiusClient(@Param('client') client: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    const { clientId } = await this.commands.radiusClients.resolve(client);
    await this.commands.rollout.setRadiusClientPolicy(clientId, body, actor);
    return this.commands.radiusClients.get(clientId);
  }

  @AdminRoute('put', 'sdk-credentials/:credential/rollout')
  sdkCredential(@Param('credential') credential: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.rollout.setSdkCredentialPolicy(credential, body, actor);
  }
}
