import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor } from '../auth/actor';

@Controller('admin/v1/sdk-credentials')
@UseGuards(AdminAuthGuard)
export class SdkCredentialsController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  issue(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.access.issueSdkCredential(body, actor);
  }

  @Get()
  list() {
    return this.commands.access.listSdkCredentials();
  }

  @Delete(':credential')
  @HttpCode(204)
  async revoke(@Param('credential') credential: string, @CurrentActor() actor: Actor) {
    await this.commands.access.revokeSdkCredential(credential, actor);
  }
}
