import { Param } from '@nestjs/common';
import type { Actor } from '@twofold/commands';
import { AdminCollection } from '../admin-collection';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor } from '../auth/actor';

// Each secret is returned once, when issued.
@AdminController('admin/v1/sdk-credentials')
export class SdkCredentialsController extends AdminCollection(({ access }) => ({ add: access.issueSdkCredential, list: access.listSdkCredentials })) {
  @AdminRoute('delete', ':credential', 204)
  async revoke(@Param('credential') credential: string, @CurrentActor() actor: Actor) {
    await this.commands.access.revokeSdkCredential(credential, actor);
  }
}
