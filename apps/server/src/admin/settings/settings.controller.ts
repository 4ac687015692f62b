import { Body, Controller, Get, Inject, Patch, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { CommandService, type Actor } from '@twofold/commands';
import { ReadModelQueries } from '@twofold/read-model';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor, ExpectedVersion } from '../auth/actor';
import { withEtag } from '../etag';

@Controller('admin/v1/settings')
@UseGuards(AdminAuthGuard)
export class SettingsController {
  constructor(
    @Inject(CommandService) private readonly commands: CommandService,
    @Inject(ReadModelQueries) private readonly queries: ReadModelQueries,
  ) {}

  @Get()
  async get(@Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.queries.getSettings());
  }

  @Patch()
  async update(@Body() body: unknown, @CurrentActor() actor: Actor, @ExpectedVersion() version: number | undefined, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.commands.updateSettings(body, actor, version));
  }
}
