import { Body, createParamDecorator, ExecutionContext, Inject, Param, Query, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CommandService, parseQrFormat, type Actor, type UserStatusAction } from '@twofold/commands';
import type { UserView } from '@twofold/read-model';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor, ExpectedVersion } from '../auth/actor';
import { withEtag } from '../etag';
import { UserInPath } from './user-in-path.pipe';

const STATUS_ACTIONS = ['enable', 'disable', 'unlock', 'block', 'unblock'] as const satisfies readonly UserStatusAction[];

// POST :user/enable, :user/disable, ...: one handler for the five routes; the action is the last
// segment of the route that matched (Nest registers each path of the list as its own route).
const StatusAction = createParamDecorator((_: unknown, ctx: ExecutionContext): UserStatusAction =>
  ctx.switchToHttp().getRequest<Request>().route.path.split('/').pop());

@AdminController('admin/v1/users')
export class UsersController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @AdminRoute('post')
  async create(@Body() body: unknown, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.commands.createUser(body, actor));
  }

  @AdminRoute('get')
  list(@Query() query: Record<string, string>) {
    return this.commands.listUsers(query);
  }

  @AdminRoute('get', ':user')
  async get(@Param('user', UserInPath) user: UserView, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.commands.getUser(user.userId));
  }

  @AdminRoute('patch', ':user')
  async update(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor, @ExpectedVersion() version: number | undefined, @Res({ passthrough: true }) res: Response) {
    return withEtag(res, await this.commands.updateUser(user.userId, body, actor, version));
  }

  @AdminRoute('delete', ':user', 204)
  async remove(@Param('user', UserInPath) user: UserView, @CurrentActor() actor: Actor, @ExpectedVersion() version: number | undefined) {
    await this.commands.deleteUser(user.userId, actor, version);
  }

  @AdminRoute('put', ':user/pin')
  setPin(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.setPin(user.userId, body, actor);
  }

  @AdminRoute('delete', ':user/pin')
  clearPin(@Param('user', UserInPath) user: UserView, @CurrentActor() actor: Actor) {
    return this.commands.clearPin(user.userId, actor);
  }

  @AdminRoute('put', ':user/password')
  setPassword(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.setPassword(user.userId, body, actor);
  }

  @AdminRoute('post', STATUS_ACTIONS.map((action) => `:user/${action}`), 200)
  changeStatus(@Param('user', UserInPath) user: UserView, @StatusAction() action: UserStatusAction, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.changeUserStatus(user.userId, action, body, actor);
  }

  @AdminRoute('get', ':user/tokens')
  tokens(@Param('user', UserInPath) user: UserView) {
    return this.commands.listTokens(user.userId);
  }

  @AdminRoute('post', ':user/tokens')
  assignToken(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @Query('qr') qr: unknown, @CurrentActor() actor: Actor) {
    // Checked before the token exists: a bad ?qr= must not leave a token nobody saw the seed of.
    const formats = parseQrFormat(qr);
    return this.commands.assignOathToken(user.userId, body, actor, formats);
  }

  @AdminRoute('delete', ':user/tokens/:tokenId', 204)
  async removeToken(@Param('user', UserInPath) user: UserView, @Param('tokenId') tokenId: string, @CurrentActor() actor: Actor) {
    await this.commands.removeOathToken(user.userId, tokenId, actor);
  }
}
