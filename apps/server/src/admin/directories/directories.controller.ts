import { Body, Inject, Param, Query } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import { DirectorySync } from '@twofold/directory';
import { DomainError, DomainErrorCode } from '@twofold/domain';
import { AdminCollection } from '../admin-collection';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor } from '../auth/actor';

// LDAP / AD directory sources and their sync runs. Writes (and runs, dry runs too: the master
// reads the directory) are forwarded from a slave to the master like every admin write.
@AdminController('admin/v1/directories')
export class DirectoriesController extends AdminCollection(({ directories }) => directories) {
  constructor(@Inject(CommandService) commands: CommandService, @Inject(DirectorySync) private readonly directorySync: DirectorySync | null) {
    super(commands);
  }

  private get sync() {
    const sync = this.directorySync;
    if (!sync) throw new Error('directory sync is not running on this node');
    return sync;
  }

  @AdminRoute('get', ':name')
  show(@Param('name') name: string) {
    return this.commands.directories.show(name);
  }

  // body: the fields to change; the name stays.
  @AdminRoute('patch', ':name')
  update(@Param('name') name: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.commands.directories.update(name, body, actor);
  }

  // The source's users stay as they are and are no longer synced.
  @AdminRoute('delete', ':name')
  remove(@Param('name') name: string, @CurrentActor() actor: Actor) {
    return this.sync.remove(name, actor);
  }

  @AdminRoute('post', ':name/sync', 200)
  run(@Param('name') name: string, @Query('dryRun') dryRun: unknown) {
    if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false') throw DomainError.rule(DomainErrorCode.ValidationFailed, 'dryRun', 'dryRun must be true or false.');
    return this.sync.run(name, { dryRun: dryRun === 'true' });
  }

  @AdminRoute('post', 'runs/:run/approve', 200)
  approve(@Param('run') run: string, @CurrentActor() actor: Actor) {
    return this.sync.approve(run, actor);
  }
}
