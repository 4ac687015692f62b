import { verifyAccountingRequestAuthenticator, verifyMessageAuthenticator } from './authenticators';
import { RadiusCode } from './codes';
import { RadiusPacket } from './radius-packet';
import { RadiusSecret } from './secret';

export type VerifyRequestResult =
  | { ok: true; messageAuthenticator: boolean }
  | {
      ok: false;
      reason:
        | 'not_a_request'
        | 'missing_message_authenticator'
        | 'bad_message_authenticator'
        | 'bad_request_authenticator'
        | 'proxy_state_without_message_authenticator';
    };

// The server's one call per incoming request, after parsePacket and the client lookup. Every
// failure means a silent discard (RFC 2865 §3, RFC 3579 §3.2).
// requireMessageAuthenticator is the per-client switch; off only for legacy Access-Request senders.
export function verifyRequest(
  packet: RadiusPacket,
  secret: RadiusSecret,
  options: { requireMessageAuthenticator?: boolean } = {},
): VerifyRequestResult {
  const hasMa = packet.has('Message-Authenticator');
  switch (packet.code) {
    case RadiusCode.AccessRequest: {
      if (hasMa) return verifyMessageAuthenticator(packet, secret) ? { ok: true, messageAuthenticator: true } : { ok: false, reason: 'bad_message_authenticator' };
      if (options.requireMessageAuthenticator ?? true) return { ok: false, reason: 'missing_message_authenticator' };
      // Legacy client: nothing signs the request, and an attacker-chosen Proxy-State is what a
      // Blast-RADIUS forgery needs echoed back (FreeRADIUS "limit_proxy_state").
      if (packet.has('Proxy-State')) return { ok: false, reason: 'proxy_state_without_message_authenticator' };
      return { ok: true, messageAuthenticator: false };
    }
    case RadiusCode.StatusServer:
      // RFC 5997 §3: Status-Server without a Message-Authenticator is always discarded.
      if (!hasMa) return { ok: false, reason: 'missing_message_authenticator' };
      return verifyMessageAuthenticator(packet, secret) ? { ok: true, messageAuthenticator: true } : { ok: false, reason: 'bad_message_authenticator' };
    case RadiusCode.AccountingRequest:
      // The Request Authenticator already signs the whole packet (RFC 2866 §3); an MA, if sent, must be right too.
      if (!verifyAccountingRequestAuthenticator(packet, secret)) return { ok: false, reason: 'bad_request_authenticator' };
      if (hasMa && !verifyMessageAuthenticator(packet, secret)) return { ok: false, reason: 'bad_message_authenticator' };
      return { ok: true, messageAuthenticator: hasMa };
    default:
      return { ok: false, reason: 'not_a_request' };
  }
}
