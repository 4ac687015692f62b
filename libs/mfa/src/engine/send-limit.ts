// A per-user limit on what costs a message (SMS, voice call, push), asked before each send. The
// transport supplies it (RADIUS does; the SDK limits its calls per user already).
export type SendChannel = 'sms' | 'voice' | 'push';
export type SendDecision = { ok: true } | { ok: false; retryAfterSeconds: number };
export type SendLimit = (userId: string, channel: SendChannel) => SendDecision;

export function sendLimitedMessage(retryAfterSeconds: number): string {
  const wait = retryAfterSeconds >= 120 ? `${Math.ceil(retryAfterSeconds / 60)} minutes` : `${retryAfterSeconds} seconds`;
  return `Too many verification requests for your account. Try again in ${wait}.`;
}
