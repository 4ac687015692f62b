import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { CommandService, parseQrFormat, type Actor } from '@twofold/commands';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor, ExpectedVersion } from '../auth/actor';
import { withEtag } from '../etag';

@Controller('admin/v1/users')
@UseGuards(AdminAuthGuard)
export class UsersController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post()
  async create(@Body() body: unknown, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.commands.createUser(body, actor));
  }

  @Get()
  list(@Query() query: Record<string, string>) {
    return this.commands.listUsers(query);
  }

  @Get(':user')
  async get(@Param('user') user: string, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.commands.getUser(user));
  }

  @Patch(':user')
  async update(@Param('user') user: string, @Body() body: unknown, @CurrentActor() actor: Actor, @ExpectedVersion() version: number | undefined, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.commands.updateUser(user, body, actor, version));
  }

  @Delete(':user')
  @HttpCode(204)
  async remove(@Param('user') user: string, @CurrentActor() actor: Actor, @ExpectedVersion() version: number | undefined) {
    await this.commands.deleteUser(user, actor, version);
  }

  @Put(':user/pin')
  setPin(@Param('user') user: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.setPin(user, body, actor);
  }

  @Delete(':user/pin')
  clearPin(@Param('user') user: string, @CurrentActor() actor: Actor) {
    return this.commands.clearPin(user, actor);
  }

  @Put(':user/password')
  setPassword(@Param('user') user: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.setPassword(user, body, actor);
  }

  @Post(':user/enable')
  @HttpCode(200)
  enable(@Param('user') user: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.changeUserStatus(user, 'enable', body, actor);
  }

  @Post(':user/disable')
  @HttpCode(200)
  disable(@Param('user') user: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.changeUserStatus(user, 'disable', body, actor);
  }

  @Post(':user/unlock')
  @HttpCode(200)
  unlock(@Param('user') user: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.changeUserStatus(user, 'unlock', body, actor);
  }

  @Post(':user/block')
  @HttpCode(200)
  block(@Param('user') user: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.changeUserStatus(user, 'block', body, actor);
  }

  @Post(':user/unblock')
  @HttpCode(200)
  unblock(@Param('user') user: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.changeUserStatus(user, 'unblock', body, actor);
  }

  @Get(':user/tokens')
  tokens(@Param('user') user: string) {
    return this.commands.listTokens(user);
  }

  @Post(':user/tokens')
  assignToken(@Param('user') user: string, @Body() body: unknown, @Query('qr') qr: unknown, @CurrentActor() actor: Actor) {
    // Checked before the token exists: a bad ?qr= must not leave a token nobody saw the seed of.
    const formats = parseQrFormat(qr);
    return this.commands.assignOathToken(user, body, actor, formats);
  }

  @Delete(':user/tokens/:tokenId')
  @HttpCode(204)
  async removeToken(@Param('user') user: string, @Param('tokenId') tokenId: string, @CurrentActor() actor: Actor) {
    await this.commands.removeOathToken(user, tokenId, actor);
  }
}
