import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { CommandService, parseQrFormat, type Actor } from '@twofold/commands';
import type { UserView } from '@twofold/read-model';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor, ExpectedVersion } from '../auth/actor';
import { withEtag } from '../etag';
import { UserInPath } from './user-in-path.pipe';

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
  async get(@Param('user', UserInPath) user: UserView, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.commands.getUser(user.userId));
  }

  @Patch(':user')
  async update(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor, @ExpectedVersion() version: number | undefined, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.commands.updateUser(user.userId, body, actor, version));
  }

  @Delete(':user')
  @HttpCode(204)
  async remove(@Param('user', UserInPath) user: UserView, @CurrentActor() actor: Actor, @ExpectedVersion() version: number | undefined) {
    await this.commands.deleteUser(user.userId, actor, version);
  }

  @Put(':user/pin')
  setPin(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.setPin(user.userId, body, actor);
  }

  @Delete(':user/pin')
  clearPin(@Param('user', UserInPath) user: UserView, @CurrentActor() actor: Actor) {
    return this.commands.clearPin(user.userId, actor);
  }

  @Put(':user/password')
  setPassword(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.setPassword(user.userId, body, actor);
  }

  @Post(':user/enable')
  @HttpCode(200)
  enable(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.changeUserStatus(user.userId, 'enable', body, actor);
  }

  @Post(':user/disable')
  @HttpCode(200)
  disable(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.changeUserStatus(user.userId, 'disable', body, actor);
  }

  @Post(':user/unlock')
  @HttpCode(200)
  unlock(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.changeUserStatus(user.userId, 'unlock', body, actor);
  }

  @Post(':user/block')
  @HttpCode(200)
  block(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.changeUserStatus(user.userId, 'block', body, actor);
  }

  @Post(':user/unblock')
  @HttpCode(200)
  unblock(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.changeUserStatus(user.userId, 'unblock', body, actor);
  }

  @Get(':user/tokens')
  tokens(@Param('user', UserInPath) user: UserView) {
    return this.commands.listTokens(user.userId);
  }

  @Post(':user/tokens')
  assignToken(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @Query('qr') qr: unknown, @CurrentActor() actor: Actor) {
    // Checked before the token exists: a bad ?qr= must not leave a token nobody saw the seed of.
    const formats = parseQrFormat(qr);
    return this.commands.assignOathToken(user.userId, body, actor, formats);
  }

  @Delete(':user/tokens/:tokenId')
  @HttpCode(204)
  async removeToken(@Param('user', UserInPath) user: UserView, @Param('tokenId') tokenId: string, @CurrentActor() actor: Actor) {
    await this.commands.removeOathToken(user.userId, tokenId, actor);
  }
}
