import { Inject, Injectable, PipeTransform } from '@nestjs/common';
import { CommandService } from '@twofold/commands';
import type { UserView } from '@twofold/read-model';

// `/admin/v1/users/:user` names the user by id or by username: the segment is read here, once,
// and the handler gets the user (refused when the segment is one user's id and another's username).
@Injectable()
export class UserInPath implements PipeTransform<string, Promise<UserView>> {
  constructor(@Inject(CommandService) private readonly commands: CommandService) {}

  transform(segment: string): Promise<UserView> {
    return this.commands.userByIdOrUsername(segment);
  }
}
