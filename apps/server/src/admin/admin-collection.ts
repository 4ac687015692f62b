import { Body, Inject } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import { CurrentActor } from './auth/actor';
import { AdminRoute } from './auth/admin-route';

// The two calls every plain admin collection makes.
export interface CollectionCommands {
  add(body: unknown, actor: Actor): Promise<unknown>;
  list(): Promise<unknown>;
}

// A base for a collection controller: POST adds (201) and GET lists, through `commandsOf`. The
// controller adds @AdminController and its item routes (Nest serves inherited routes too).
export function AdminCollection(commandsOf: (commands: CommandService) => CollectionCommands) {
  abstract class Collection {
    constructor(@Inject(CommandService) protected readonly commands: CommandService) {}

    @AdminRoute('post')
    add(@Body() body: unknown, @CurrentActor() actor: Actor) {
      return commandsOf(this.commands).add(body, actor);
    }

    @AdminRoute('get')
    list() {
      return commandsOf(this.commands).list();
    }
  }
  return Collection;
}
