import { Command } from 'commander';
import { seg } from '../core/admin-client';
import { CliError } from '../core/cli-error';
import { run } from '../core/context';
import { renderRecord } from '../core/output';
import { userRecord, UserView } from './views';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

// "90s", "15m", "2h", "1d" -> seconds.
export function parseDuration(raw: string, flag = '--for'): number {
  const m = /^\s*(\d{1,6})\s*([smhd])\s*$/i.exec(raw);
  if (!m) throw CliError.usage(`${flag} must be a duration like 90s, 15m, 2h or 1d`, flag.slice(2));
  return Number(m[1]) * UNITS[m[2].toLowerCase()];
}

function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

// Staged rollout (kept apart from users.command.ts): bypasses and per-SDK-credential policy.
// `user list --not-enrolled` and `radius-client add|update --unenrolled` live with their commands.
export function registerRolloutCommands(program: Command): void {
  group(program, 'user', 'manage users (through the admin API)')
    .command('bypass <user>')
    .description('let the user sign in without a second factor for a while (on any node); kept in the log with you and the reason. --revoke ends it early')
    .option('--for <duration>', 'how long: 90s, 15m, 2h, 1d (at most 7d); required unless --revoke')
    .option('--reason <text>', 'why (kept in the log, shown in `user show`); required unless --revoke')
    .option('--once', 'end the bypass at its first use')
    .option('--revoke', 'end the user\'s bypass now, on every node (exit 5 when the user holds no active bypass)')
    .action(run(async (ctx, ref: string, o: { for?: string; reason?: string; once?: boolean; revoke?: boolean }) => {
      if (o.revoke) {
        if (o.for !== undefined || o.once || o.reason !== undefined) throw CliError.usage('--revoke takes no --for, --reason or --once', 'revoke');
        const user = await ctx.api.send<UserView>('DELETE', `/admin/v1/users/${seg(ref)}/bypass`);
        ctx.out.result(user, () => `bypass of ${user.username} revoked\n${renderRecord(userRecord(user))}`);
        return;
      }
      if (o.for === undefined) throw CliError.usage('--for is required (or give --revoke)', 'for');
      if (o.reason === undefined) throw CliError.usage('--reason is required (or give --revoke)', 'reason');
      const user = await ctx.api.send<UserView>('POST', `/admin/v1/users/${seg(ref)}/bypass`, { seconds: parseDuration(o.for), reason: o.reason, once: Boolean(o.once) });
      ctx.out.result(user, () => `bypass granted to ${user.username}\n${renderRecord(userRecord(user))}`);
    }));

  group(program, 'sdk-credential', 'issue and revoke credentials for SDK clients')
    .command('rollout <credential>')
    .description('what an SDK sign-in does for a user with no second factor yet (ADFS checked the first factor)')
    .requiredOption('--unenrolled <policy>', 'reject (default) or first-factor-only')
    .action(run(async (ctx, ref: string, o: { unenrolled: string }) => {
      const done = await ctx.api.send<{ name: string; unenrolled: string }>('PUT', `/admin/v1/sdk-credentials/${seg(ref)}/rollout`, { unenrolled: o.unenrolled });
      ctx.out.result(done, () => `SDK credential ${done.name}: users not enrolled: ${done.unenrolled}\n`);
    }));
}
