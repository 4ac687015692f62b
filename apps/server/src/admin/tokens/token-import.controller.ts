import { Body, Inject, Param, Query } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import type { UserView } from '@twofold/read-model';
import { DomainError, DomainErrorCode } from '@twofold/domain';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor } from '../auth/actor';
import { UserInPath } from '../users/user-in-path.pipe';

function flag(raw: unknown, name: string): boolean {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw DomainError.rule(DomainErrorCode.ValidationFailed, name, `${name} must be true or false.`);
}

// Hardware token import (the CLI reads PSKC/CSV files and sends the tokens; seeds only over HTTPS,
// sealed at once, never returned) and the pool of tokens not given to anyone yet.
@AdminController('admin/v1')
export class TokenImportController {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  @AdminRoute('post', 'tokens/import', 200)
  import(@Body() body: unknown, @Query('dryRun') dryRun: unknown, @CurrentActor() actor: Actor) {
    return this.commands.tokenImport.importTokens(body, actor, flag(dryRun, 'dryRun'));
  }

  @AdminRoute('get', 'tokens/pool')
  pool() {
    return this.commands.tokenImport.listPool();
  }

  // body: { serial }
  @AdminRoute('post', 'users/:user/tokens/from-pool')
  assign(@Param('user', UserInPath) user: UserView, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.tokenImport.assignFromPool(user.userId, body, actor);
  }
}
