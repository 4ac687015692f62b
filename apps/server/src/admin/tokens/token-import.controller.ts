import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import type { UserView } from '@twofold/read-model';
import { DomainError, DomainErrorCode } from '@twofold/domain';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor } from '../auth/actor';
import { UserInPath } from '../users/user-in-path.pipe';

function flag(raw: unknown, name: string): boolean {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw DomainError.rule(DomainErrorCode.ValidationFailed, name, `${name} must be true or false.`);
}

// Hardware token import (the CLI reads PSKC/CSV files and sends the tokens; seeds only over HTTPS,
// sealed at once, never returned) and the pool of tokens not given to anyone yet.
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
export class TokenImportController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @Post('tokens/import')
  @HttpCode(200)
  import(@Body() body: unknown, @Query('dryRun') dryRun: unknown, @CurrentActor() actor: Actor) {
    return this.commands.tokenImport.importTokens(body, actor, flag(dryRun, 'dryRun'));
  }

  @Get('tokens/pool')
  pool() {
    return this.commands.tokenImport.listPool();
  }

  // body: { serial }
  @Post('users/:user/tokens/from-pool')
  assign(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.tokenImport.assignFromPool(user.userId, body, actor);
  }
}
