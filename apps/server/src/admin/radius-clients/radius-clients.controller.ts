import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { CommandService, type Actor } from '@twofold/commands';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor, ExpectedVersion } from '../auth/actor';
import { withEtag } from '../etag';
import { assertLdapCaFileReadable } from '../../radius/ldap-ca-file';

@Controller('admin/v1/radius-clients')
@UseGuards(AdminAuthGuard)
export class RadiusClientsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  async add(@Body() body: unknown, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    assertLdapCaFileReadable(body);
    return withEtag(res, await this.commands.radiusClients.add(body, actor));
  }

  @Get()
  list() {
    return this.commands.radiusClients.list();
  }

  @Get(':client')
  async get(@Param('client') client: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.commands.radiusClients.get(client));
  }

  @Patch(':client')
  async update(@Param('client') client: string, @Body() body: unknown, @CurrentActor() actor: Actor, @ExpectedVersion() version: number | undefined, @Res({ passthrough: true }) res: Response) {
    assertLdapCaFileReadable(body);
    return withEtag(res, await this.commands.radiusClients.update(client, body, actor, version));
  }

  @Delete(':client')
  @HttpCode(204)
  async remove(@Param('client') client: string, @CurrentActor() actor: Actor) {
    await this.commands.radiusClients.remove(client, actor);
  }
}
