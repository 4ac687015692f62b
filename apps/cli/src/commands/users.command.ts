import { Command } from 'commander';
import { seg } from '../core/admin-client';
import { CliError } from '../core/cli-error';
import { CliContext, collect, givenOptions, intOption, run } from '../core/context';
import { renderRecord } from '../core/output';
import { readSecret } from '../core/secret-input';
import { Page, USER_COLUMNS, userRecord, UserView } from './views';
import { registerUserImport } from './user-import.command';
import { registerUserInvite } from './user-invite.command';

interface ProfileOptions {
  displayName?: string; email?: string; phone?: string[]; clearPhones?: boolean; preferredMethod?: string; language?: string;
}

// "+4915112345678" or "office=+4930123456".
function phone(raw: string): { label?: string; number: string } {
  const eq = raw.indexOf('=');
  return eq > 0 ? { label: raw.slice(0, eq), number: raw.slice(eq + 1) } : { number: raw };
}

function profileBody(o: ProfileOptions): Record<string, unknown> {
  if (o.clearPhones && o.phone) throw CliError.usage('give --phone or --clear-phones, not both');
  const body = givenOptions(o, ['displayName', 'email', 'preferredMethod', 'language']);
  if (o.clearPhones) body.phones = [];
  if (o.phone) body.phones = o.phone.map(phone);
  return body;
}

function profileOptions(cmd: Command): Command {
  return cmd
    .option('--display-name <text>', 'display name')
    .option('--email <address>', 'e-mail address ("" removes it)')
    .option('--phone <number>', 'phone number in E.164 (+4915112345678), or label=number; repeat for more', collect)
    .option('--preferred-method <method>', 'totp, sms, voice or push')
    .option('--language <tag>', 'language tag, e.g. en or de-CH');
}

export function ifMatch(version: number | undefined): Record<string, string> {
  return version === undefined ? {} : { 'if-match': `"${version}"` };
}

function showUser(ctx: CliContext, user: UserView, headline?: string): void {
  ctx.out.result(user, () => (headline ? `${headline}\n` : '') + renderRecord(userRecord(user)));
}

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage users (through the admin API)');

  profileOptions(user.command('add <username>').description('create a user'))
    .action(run(async (ctx, username: string, o: ProfileOptions) => {
      const created = await ctx.api.send<UserView>('POST', '/admin/v1/users', { username, ...profileBody(o) });
      showUser(ctx, created, `created user ${created.username}`);
    }));

  user.command('list').description('list users, a page at a time')
    .option('--filter <text>', 'only usernames, display names or e-mails containing this text')
    .option('--offset <n>', 'skip this many users', intOption('--offset', 0, 1_000_000_000))
    .option('--limit <n>', 'page size (1-500, default 50)', intOption('--limit', 1, 500))
    .option('--not-enrolled', 'only users who have no second factor for their preferred method yet')
    .action(run(async (ctx, o: { filter?: string; offset?: number; limit?: number; notEnrolled?: boolean }) => {
      const query = new URLSearchParams();
      if (o.notEnrolled) query.set('notEnrolled', 'true');
      if (o.filter !== undefined) query.set('filter', o.filter);
      if (o.offset !== undefined) query.set('offset', String(o.offset));
      if (o.limit !== undefined) query.set('limit', String(o.limit));
      const page = await ctx.api.get<Page<UserView>>(`/admin/v1/users${query.size ? `?${query}` : ''}`);
      if (ctx.out.json) return ctx.out.data(page);
      ctx.out.table(page.items, USER_COLUMNS, '(no users)');
      if (page.total > page.items.length) {
        ctx.out.line(`showing ${page.items.length ? `${page.offset + 1}-${page.offset + page.items.length}` : 'none'} of ${page.total} (use --offset and --limit for more)`);
      }
    }));

  user.command('show <user>').description('show one user (by username or id)')
    .action(run(async (ctx, ref: string) => showUser(ctx, await ctx.api.get<UserView>(`/admin/v1/users/${seg(ref)}`))));

  profileOptions(user.command('update <user>').description('change a user\'s profile (username never changes)'))
    .option('--clear-phones', 'remove all phone numbers')
    .option('--if-match <version>', 'only if the user is still at this version (from `user show`)', intOption('--if-match', 0, 999_999_999))
    .action(run(async (ctx, ref: string, o: ProfileOptions & { ifMatch?: number }) => {
      const body = profileBody(o);
      if (Object.keys(body).length === 0) throw CliError.usage('nothing to change: give at least one of --display-name, --email, --phone, --clear-phones, --preferred-method, --language');
      const updated = await ctx.api.send<UserView>('PATCH', `/admin/v1/users/${seg(ref)}`, body, ifMatch(o.ifMatch));
      showUser(ctx, updated, `updated user ${updated.username}`);
    }));

  user.command('delete <user>').description('delete a user (its history stays in the log)')
    .option('--if-match <version>', 'only if the user is still at this version', intOption('--if-match', 0, 999_999_999))
    .action(run(async (ctx, ref: string, o: { ifMatch?: number }) => {
      await ctx.api.send('DELETE', `/admin/v1/users/${seg(ref)}`, undefined, ifMatch(o.ifMatch));
      ctx.out.result({ deleted: ref }, () => `deleted user ${ref}\n`);
    }));

  // set-pin, set-password: the secret from a prompt (typed twice), --<field>-stdin or --<field>.
  const secretAction = (field: 'pin' | 'password', name: string, what: string, exposure: string) => {
    user.command(`set-${field} <user>`).description(`set ${what} (asked for at a prompt unless --${field}-stdin)`)
      .option(`--${field}-stdin`, `read the ${name} from the first line of standard input`)
      .option(`--${field} <${field}>`, `the ${name} itself (lands in your ${exposure}: prefer the prompt or --${field}-stdin)`)
      .action(run(async (ctx, ref: string, o: Record<string, string | boolean | undefined>) => {
        const value = o[field] as string | undefined;
        const secret = await readSecret({ value, fromStdin: o[`${field}Stdin`] as boolean | undefined, name, flag: `--${field}-stdin`, confirm: true });
        const updated = await ctx.api.send<UserView>('PUT', `/admin/v1/users/${seg(ref)}/${field}`, { [field]: secret });
        showUser(ctx, updated, `${name} set for ${updated.username}`);
      }));
  };
  secretAction('pin', 'PIN', 'the user\'s PIN', 'shell history and process list');

  user.command('clear-pin <user>').description('remove the user\'s PIN')
    .action(run(async (ctx, ref: string) => {
      const updated = await ctx.api.send<UserView>('DELETE', `/admin/v1/users/${seg(ref)}/pin`);
      showUser(ctx, updated, `PIN cleared for ${updated.username}`);
    }));

  secretAction('password', 'password', 'the user\'s local password', 'shell history');

  const statusAction = (action: string, done: string, describe: string, withReason = false) => {
    const cmd = user.command(`${action} <user>`).description(describe);
    if (withReason) cmd.option('--reason <text>', 'why (kept in the log)');
    cmd.action(run(async (ctx: CliContext, ref: string, o: { reason?: string }) => {
      const body = o.reason !== undefined ? { reason: o.reason } : undefined;
      const updated = await ctx.api.send<UserView>('POST', `/admin/v1/users/${seg(ref)}/${action}`, body);
      showUser(ctx, updated, `${updated.username} ${done}`);
    }));
  };
  statusAction('enable', 'enabled', 'let the user sign in again');
  statusAction('disable', 'disabled', 'stop the user from signing in');
  statusAction('unlock', 'unlocked', 'lift a lockout after failed attempts');
  statusAction('block', 'blocked', 'block the user for fraud', true);
  statusAction('unblock', 'unblocked', 'lift a fraud block');

  registerUserImport(user);
  registerUserInvite(user);
}
