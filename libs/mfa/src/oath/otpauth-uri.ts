import { OathAlgorithm, OathDigits, TotpPeriod } from './oath';
import { OathError } from './oath.error';

export type OtpauthUriInput =
  | { kind: 'totp'; issuer: string; account: string; seedBase32: string; algorithm?: OathAlgorithm; digits?: OathDigits; period?: TotpPeriod }
  | { kind: 'hotp'; issuer: string; account: string; seedBase32: string; algorithm?: OathAlgorithm; digits?: OathDigits; counter: number };

// Key Uri Format (google-authenticator wiki): otpauth://TYPE/ISSUER:ACCOUNT?secret=...&issuer=...
// Values are percent-encoded with encodeURIComponent (space -> %20, never '+', which some apps show literally).
export function buildOtpauthUri(input: OtpauthUriInput): string {
  if (!input.issuer || !input.account) throw new OathError('invalid_options', 'issuer and account are required');
  // The format uses ':' to split issuer from account; apps disagree on an encoded one.
  if (input.issuer.includes(':') || input.account.includes(':')) throw new OathError('invalid_options', 'issuer and account may not contain a colon');
  const secret = input.seedBase32.replace(/[\s=]/g, '').toUpperCase();
  if (!/^[A-Z2-7]+$/.test(secret)) throw new OathError('invalid_seed', 'seedBase32 is not base32');

  const params: [string, string][] = [
    ['secret', secret],
    ['issuer', input.issuer],
    ['algorithm', input.algorithm ?? 'SHA1'],
    ['digits', String(input.digits ?? 6)],
  ];
  if (input.kind === 'totp') {
    params.push(['period', String(input.period ?? 30)]);
  } else {
    if (!Number.isSafeInteger(input.counter) || input.counter < 0) throw new OathError('invalid_options', 'counter must be a non-negative integer');
    params.push(['counter', String(input.counter)]);
  }
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.account)}`;
  const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `otpauth://${input.kind}/${label}?${query}`;
}
