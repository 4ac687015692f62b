import { Command, InvalidArgumentError } from 'commander';
import { seg } from '../core/admin-client';
import { intOption, run } from '../core/context';

interface IssuedInvitation { invitationId: string; userId: string; username: string; code?: string; expiresAt: string; channel?: 'sms' | 'email'; sentTo?: string }

const channelOption = (value: string): 'sms' | 'email' => {
  if (value !== 'sms' && value !== 'email') throw new InvalidArgumentError('must be sms or email');
  return value;
};

// `twofold user invite alice [--send sms|email]`: a one-time code for a user's first enrolment in
// the User Portal, shown once, or sent to the user's own phone or e-mail (then not shown at all).
export function registerUserInvite(user: Command): void {
  user.command('invite <user>')
    .description('issue a one-time invitation code: the user signs in to the User Portal once with it and their password, and enrols an authenticator app. Shown once to hand over, or sent with --send')
    .option('--valid-hours <n>', 'how long the code works (1 to 720, default 72)', intOption('--valid-hours', 1, 720))
    .option('--send <channel>', 'send the code to the user\'s first phone number (sms) or e-mail address (email) instead of showing it', channelOption)
    .action(run(async (ctx, ref: string, o: { validHours?: number; send?: 'sms' | 'email' }) => {
      const body = { ...(o.validHours !== undefined ? { validHours: o.validHours } : {}), ...(o.send ? { send: o.send } : {}) };
      const issued = await ctx.api.send<IssuedInvitation>('POST', `/admin/v1/users/${seg(ref)}/invitations`, body);
      ctx.out.result(issued, () => (issued.sentTo
        ? `invitation for ${issued.username} sent by ${issued.channel === 'sms' ? 'SMS' : 'e-mail'} to ${issued.sentTo} (valid until ${issued.expiresAt}, works once)\n`
        : `invitation for ${issued.username} (valid until ${issued.expiresAt}, works once):\n${issued.code}\n`));
    }));
}
