import { Body, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CommandService, type Actor } from '@twofold/commands';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor, ExpectedVersion } from '../auth/actor';
import { withEtag } from '../etag';
import { assertLdapCaFileReadable } from '../../radius/ldap-ca-file';

@AdminController('admin/v1/radius-clients')
export class RadiusClientsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @AdminRoute('post')
  async add(@Body() body: unknown, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    assertLdapCaFileReadable(body);
    return withEtag(res, await this.commands.radiusClients.add(body, actor));
  }

  @AdminRoute('get')
  list() {
    return this.commands.radiusClients.list();
  }

  @AdminRoute('get', ':client')
  async get(@Param('client') client: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.commands.radiusClients.get(client));
  }

  @AdminRoute('patch', ':client')
  async update(@Param('client') client: string, @Body() body: unknown, @CurrentActor() actor: Actor, @ExpectedVersion() version: number | undefined, @Res({ passthrough: true }) res: Response) {
    assertLdapCaFileReadable(body);
    return withEtag(res, await this.commands.radiusClients.update(client, body, actor, version));
  }

  @AdminRoute('delete', ':client', 204)
  async remove(@Param('client') client: string, @CurrentActor() actor: Actor) {
    await this.commands.radiusClients.remove(client, actor);
  }
}
