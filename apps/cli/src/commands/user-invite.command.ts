import { Command } from 'commander';
import { seg } from '../core/admin-client';
import { intOption, run } from '../core/context';

interface IssuedInvitation { invitationId: string; userId: string; username: string; code: string; expiresAt: string }

// `twofold user invite alice`: a one-time code for a user's first enrolment in the User Portal.
export function registerUserInvite(user: Command): void {
  user.command('invite <user>')
    .description('issue a one-time invitation code: the user signs in to the User Portal once with it and their password, and enrols an authenticator app. Hand it over or send it; it is shown once')
    .option('--valid-hours <n>', 'how long the code works (1 to 720, default 72)', intOption('--valid-hours', 1, 720))
    .action(run(async (ctx, ref: string, o: { validHours?: number }) => {
      const issued = await ctx.api.send<IssuedInvitation>('POST', `/admin/v1/users/${seg(ref)}/invitations`, o.validHours !== undefined ? { validHours: o.validHours } : {});
      ctx.out.result(issued, () => `invitation for ${issued.username} (valid until ${issued.expiresAt}, works once):\n${issued.code}\n`);
    }));
}
