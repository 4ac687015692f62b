import type { AuthMethod, Settings } from '@twofold/domain';
import type { OathTokenView, UserView } from '@twofold/read-model';
import { METHODS, UserSummary } from '@twofold/sdk-client';

// "+15550123" -> "+*****0123": enough for "the phone ending in 0123", not a number to call.
export function maskPhone(number: string): string {
  const digits = number.replace(/\D/g, '');
  return `+${'*'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
}

// What an application may know about a user: no seeds, no hashes, phone numbers masked unless
// the user is the signed-in user themselves.
export function userSummary(user: UserView, tokens: OathTokenView[], settings: Settings, opts: { fullPhones: boolean }): UserSummary {
  const hasPhone = user.phones.length > 0;
  const available: Record<AuthMethod, boolean> = { totp: tokens.length > 0, sms: hasPhone, voice: hasPhone, push: true };
  return {
    userId: user.userId,
    username: user.username,
    displayName: user.displayName,
    enabled: user.enabled,
    locked: user.locked,
    blocked: user.blocked,
    hasPin: user.hasPin,
    language: user.language,
    defaultMethod: user.preferredMethod ?? settings.defaultMethod,
    methods: METHODS.map((method) => ({ method, available: available[method] })),
    tokens: tokens.map((t) => ({ tokenId: t.tokenId, kind: t.kind, label: t.label, digits: t.digits, createdAt: t.createdAt })),
    phones: user.phones.map((p) => ({ label: p.label, number: opts.fullPhones ? p.number : maskPhone(p.number) })),
  };
}
