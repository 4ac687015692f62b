import type { Command } from 'commander';
import { seg } from '../core/admin-client';
import { run } from '../core/context';
import type { Column } from '../core/output';

// A user's items under /admin/v1/users/<user>/<path> (tokens, devices).
export interface UserItems<T> {
  noun: string; // "token": "removed token <id> from <user>"
  path: string; // "tokens": also "(no tokens)"
  idArg: string;
  columns: Column<T>[];
  listDescription: string;
  removeDescription: string;
}

// `list <user>` and `remove <user> <id>` for one kind of item.
export function registerUserItemCommands<T>(parent: Command, items: UserItems<T>): void {
  parent.command('list <user>').description(items.listDescription)
    .action(run(async (ctx, ref: string) => {
      ctx.out.table(await ctx.api.get<T[]>(`/admin/v1/users/${seg(ref)}/${items.path}`), items.columns, `(no ${items.path})`);
    }));

  parent.command(`remove <user> <${items.idArg}>`).description(items.removeDescription)
    .action(run(async (ctx, ref: string, id: string) => {
      await ctx.api.send('DELETE', `/admin/v1/users/${seg(ref)}/${items.path}/${seg(id)}`);
      ctx.out.result({ removed: id, user: ref }, () => `removed ${items.noun} ${id} from ${ref}\n`);
    }));
}
