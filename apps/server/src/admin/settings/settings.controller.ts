import { Body, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CommandService, type Actor } from '@twofold/commands';
import { ReadModelQueries } from '@twofold/read-model';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor, ExpectedVersion } from '../auth/actor';
import { withEtag } from '../etag';

@AdminController('admin/v1/settings')
export class SettingsController {
  constructor(
    @Inject(CommandService) private readonly commands: CommandService,
    @Inject(ReadModelQueries) private readonly queries: ReadModelQueries,
  ) {}

  @AdminRoute('get')
  async get(@Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.queries.getSettings());
  }

  @AdminRoute('patch')
  async update(@Body() body: unknown, @CurrentActor() actor: Actor, @ExpectedVersion() version: number | undefined, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.commands.updateSettings(body, actor, version));
  }
}
