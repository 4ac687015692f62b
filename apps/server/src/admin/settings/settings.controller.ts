import { Body, Controller, Get, Inject, Patch, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { Actor } from '@twofold/commands';
import { RUNTIME } from '../../node/runtime.token';
import type { NodeRuntime } from '../../node/node-runtime';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor, ExpectedVersion } from '../auth/actor';
import { withEtag } from '../etag';

@Controller('admin/v1/settings')
@UseGuards(AdminAuthGuard)
export class SettingsController {
  constructor(@Inject(RUNTIME) private readonly runtime: NodeRuntime) {}

  @Get()
  async get(@Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.runtime.queries.getSettings());
  }

  @Patch()
  async update(@Body() body: unknown, @CurrentActor() actor: Actor, @ExpectedVersion() version: number | undefined, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.runtime.commands.updateSettings(body, actor, version));
  }
}
