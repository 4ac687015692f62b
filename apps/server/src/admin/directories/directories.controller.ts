import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import { DirectorySync } from '@twofold/directory';
import { DomainError, DomainErrorCode } from '@twofold/domain';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor } from '../auth/actor';

// LDAP / AD directory sources and their sync runs. Writes (and runs, dry runs too: the master
// reads the directory) are forwarded from a slave to the master like every admin write.
@Controller('admin/v1/directories')
@UseGuards(AdminAuthGuard)
export class DirectoriesController {
  constructor(
    @Inject(CommandService) private readonly commands: CommandService,
    @Inject(DirectorySync) private readonly directorySync: DirectorySync | null,
  ) {}

  private get sync() {
    const sync = this.directorySync;
    if (!sync) throw new Error('directory sync is not running on this node');
    return sync;
  }

  @Post()
  add(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.directories.add(body, actor);
  }

  @Get()
  list() {
    return this.commands.directories.list();
  }

  @Get(':name')
  show(@Param('name') name: string) {
    return this.commands.directories.show(name);
  }

  // body: the fields to change; the name stays.
  @Patch(':name')
  update(@Param('name') name: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.directories.update(name, body, actor);
  }

  // The source's users stay as they are and are no longer synced.
  @Delete(':name')
  remove(@Param('name') name: string, @CurrentActor() actor: Actor) {
    return this.sync.remove(name, actor);
  }

  @Post(':name/sync')
  @HttpCode(200)
  run(@Param('name') name: string, @Query('dryRun') dryRun: unknown) {
    if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false') throw DomainError.rule(DomainErrorCode.ValidationFailed, 'dryRun', 'dryRun must be true or false.');
    return this.sync.run(name, { dryRun: dryRun === 'true' });
  }

  @Post('runs/:run/approve')
  @HttpCode(200)
  approve(@Param('run') run: string, @CurrentActor() actor: Actor) {
    return this.sync.approve(run, actor);
  }
}
