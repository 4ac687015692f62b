import { HttpException } from '@nestjs/common';
import type { Logger } from 'pino';
import { DeliveryError, DeliveryProvider } from '@twofold/mfa';
import type { UserView } from '@twofold/read-model';

export type InvitationChannel = 'sms' | 'email';

export interface InvitationSenderDeps {
  sms: DeliveryProvider; // the node's SMS provider (file or HTTP gateway)
  email: DeliveryProvider; // file or SMTP
  portalUrl?: string; // where the user signs in with the code (no secret in it)
  logger: Logger;
}

const TEXT = {
  en: {
    subject: 'Your invitation to the User Portal',
    body: (code: string, until: string, url: string) => `Your one-time invitation code: ${code}\nIt works once, until ${until} UTC. Sign in${url ? ` at ${url}` : ''} with your user name, password and this code ("I have an invitation code"), then set up your authenticator app.`,
  },
  sv: {
    subject: 'Din inbjudan till användarportalen',
    body: (code: string, until: string, url: string) => `Din engångskod för inbjudan: ${code}\nDen fungerar en gång, till ${until} UTC. Logga in${url ? ` på ${url}` : ''} med ditt användarnamn, lösenord och koden ("Jag har en inbjudningskod") och konfigurera sedan din autentiseringsapp.`,
  },
};

// "+46701234567" -> "+46*******67", "alice@example.org" -> "a***@example.org": enough for the
// administrator to see where it went, without copying the address into logs.
export function maskAddress(to: string): string {
  const at = to.indexOf('@');
  if (at > 0) return `${to[0]}***${to.slice(at)}`;
  return to.length > 5 ? `${to.slice(0, 3)}${'*'.repeat(to.length - 5)}${to.slice(-2)}` : '***';
}

// Sends an invitation code to the user's own phone (first number) or e-mail address, in the
// user's language. The code goes to the provider only: never into a log line or an error.
export class InvitationSender {
  constructor(private readonly deps: InvitationSenderDeps) {}

  // Before issuing: the user must have where to send it (else nothing is written).
  recipient(user: UserView, channel: InvitationChannel): string {
    const to = channel === 'sms' ? user.phones[0]?.number : user.email ?? undefined;
    if (!to) {
      throw new HttpException({ code: channel === 'sms' ? 'no_phone_number' : 'no_email_address', message: `${user.username} has no ${channel === 'sms' ? 'phone number' : 'e-mail address'} to send the invitation to` }, 422);
    }
    return to;
  }

  async send(user: UserView, channel: InvitationChannel, to: string, invitation: { invitationId: string; code: string; expiresAt: string }): Promise<{ channel: InvitationChannel; sentTo: string }> {
    const text = user.language.toLowerCase().startsWith('sv') ? TEXT.sv : TEXT.en;
    const until = invitation.expiresAt.replace('T', ' ').slice(0, 16);
    try {
      await (channel === 'sms' ? this.deps.sms : this.deps.email).send({
        channel, to, userId: user.userId, text: text.body(invitation.code, until, this.deps.portalUrl ? `${this.deps.portalUrl.replace(/\/+$/, '')}/invitation` : ''),
        metadata: { subject: text.subject, purpose: 'invitation' },
      });
    } catch (err) {
      const code = err instanceof DeliveryError ? err.code : 'delivery_failed';
      this.deps.logger.warn({ userId: user.userId, invitationId: invitation.invitationId, channel, code, reason: err instanceof DeliveryError ? err.message : 'error' }, 'invitation not delivered');
      throw new HttpException({ code: 'delivery_failed', message: `the invitation was issued but could not be sent by ${channel} (${code}); issue a new one or hand it over` }, 502);
    }
    this.deps.logger.info({ userId: user.userId, invitationId: invitation.invitationId, channel, to: maskAddress(to) }, 'invitation sent');
    return { channel, sentTo: maskAddress(to) };
  }
}
