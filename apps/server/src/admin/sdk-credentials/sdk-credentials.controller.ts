import { Body, Inject, Param } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor } from '../auth/actor';

@AdminController('admin/v1/sdk-credentials')
export class SdkCredentialsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @AdminRoute('post')
  issue(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.access.issueSdkCredential(body, actor);
  }

  @AdminRoute('get')
  list() {
    return this.commands.access.listSdkCredentials();
  }

  @AdminRoute('delete', ':credential', 204)
  async revoke(@Param('credential') credential: string, @CurrentActor() actor: Actor) {
    await this.commands.access.revokeSdkCredential(credential, actor);
  }
}
