import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import type { Actor } from '@twofold/commands';
import { RUNTIME } from '../../node/runtime.token';
import type { NodeRuntime } from '../../node/node-runtime';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor } from '../auth/actor';

@Controller('admin/v1/sdk-credentials')
@UseGuards(AdminAuthGuard)
export class SdkCredentialsController {
  constructor(@Inject(RUNTIME) private readonly runtime: NodeRuntime) {}

  @Post()
  issue(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.runtime.commands.access.issueSdkCredential(body, actor);
  }

  @Get()
  list() {
    return this.runtime.commands.access.listSdkCredentials();
  }

  @Delete(':credential')
  @HttpCode(204)
  async revoke(@Param('credential') credential: string, @CurrentActor() actor: Actor) {
    await this.runtime.commands.access.revokeSdkCredential(credential, actor);
  }
}
