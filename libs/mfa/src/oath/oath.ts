import { createHmac } from 'node:crypto';
import { OathError } from './oath.error';

// Same spelling as OathAlgorithm in @twofold/domain's event catalogue.
export type OathAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';
export type OathDigits = 6 | 8;
export type TotpPeriod = 30 | 60;

export interface HotpOptions {
  digits?: OathDigits;
  algorithm?: OathAlgorithm;
}

export interface TotpOptions extends HotpOptions {
  period?: TotpPeriod;
}

const HMAC_NAMES: Record<OathAlgorithm, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

function checkSeed(seed: Buffer): void {
  if (!Buffer.isBuffer(seed) || seed.length === 0) throw new OathError('invalid_seed', 'OATH seed must be a non-empty Buffer');
}

function checkDigits(digits: number): void {
  if (digits !== 6 && digits !== 8) throw new OathError('invalid_options', 'digits must be 6 or 8');
}

function checkAlgorithm(algorithm: string): void {
  if (!(algorithm in HMAC_NAMES)) throw new OathError('invalid_options', 'algorithm must be SHA1, SHA256 or SHA512');
}

function checkPeriod(period: number): void {
  if (period !== 30 && period !== 60) throw new OathError('invalid_options', 'period must be 30 or 60 seconds');
}

function checkCounter(counter: number, name: string): void {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new OathError('invalid_options', `${name} must be a non-negative safe integer`);
}

// RFC 4226 section 5.3: HMAC over the 8-byte big-endian counter, dynamic truncation.
export function generateHotp(seed: Buffer, counter: number, opts: HotpOptions = {}): string {
  const digits = opts.digits ?? 6;
  const algorithm = opts.algorithm ?? 'SHA1';
  checkSeed(seed);
  checkDigits(digits);
  checkAlgorithm(algorithm);
  checkCounter(counter, 'counter');
  return hotpUnchecked(seed, counter, digits, algorithm);
}

function hotpUnchecked(seed: Buffer, counter: number, digits: number, algorithm: OathAlgorithm): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(HMAC_NAMES[algorithm], seed).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

// RFC 6238 with T0 = 0.
export function totpStep(timeMs: number, period: number = 30): number {
  return Math.floor(timeMs / 1000 / period);
}

export function generateTotp(seed: Buffer, timeMs: number, opts: TotpOptions = {}): string {
  const period = opts.period ?? 30;
  checkPeriod(period);
  if (!Number.isFinite(timeMs) || timeMs < 0) throw new OathError('invalid_options', 'timeMs must be a non-negative number');
  return generateHotp(seed, totpStep(timeMs, period), opts);
}

// A code of the wrong shape is a mismatch, never an exception: it comes straight from the user.
function isWellFormed(code: unknown, digits: number): code is string {
  return typeof code === 'string' && code.length === digits && /^[0-9]+$/.test(code);
}

function sameCode(a: string, b: string): boolean {
  // Both are `digits` ASCII digits here (equal, public lengths). Every character is compared,
  // without a branch on their values, and nothing is allocated (this runs lookAhead+1 times per
  // sign-in): the time taken does not depend on where the codes differ.
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

// Every candidate in the window is computed and compared, so the time taken does not say
// which step (if any) matched. TOTP takes the highest matching step: recording it as used also
// burns every lower step, so the same code cannot be replayed against a lower colliding step.
// HOTP takes the lowest (see verifyHotpCodes).
function matchIn(codeAt: (counter: number) => string, code: string, from: number, to: number, wins: 'lowest' | 'highest'): number | null {
  let match: number | null = null;
  for (let c = Math.max(0, from); c <= to; c++) {
    if (sameCode(codeAt(c), code) && (match === null || wins === 'highest')) match = c;
  }
  return match;
}

export interface VerifyTotpInput {
  seed: Buffer;
  code: string;
  timeMs: number;
  driftSteps: number;
  digits?: OathDigits;
  period?: TotpPeriod;
  algorithm?: OathAlgorithm;
  // The last step accepted for this token (from OathCodeUsed). Steps at or below it are replays.
  lastUsedStep?: number;
}

export type VerifyTotpResult = { ok: true; step: number } | { ok: false; reason: 'mismatch' | 'replayed' };

export function verifyTotp(input: VerifyTotpInput): VerifyTotpResult {
  const digits = input.digits ?? 6;
  const period = input.period ?? 30;
  const algorithm = input.algorithm ?? 'SHA1';
  checkSeed(input.seed);
  checkDigits(digits);
  checkPeriod(period);
  checkAlgorithm(algorithm);
  checkCounter(input.driftSteps, 'driftSteps');
  if (!Number.isFinite(input.timeMs) || input.timeMs < 0) throw new OathError('invalid_options', 'timeMs must be a non-negative number');
  if (!isWellFormed(input.code, digits)) return { ok: false, reason: 'mismatch' };

  const current = totpStep(input.timeMs, period);
  const step = matchIn((c) => hotpUnchecked(input.seed, c, digits, algorithm), input.code, current - input.driftSteps, current + input.driftSteps, 'highest');
  if (step === null) return { ok: false, reason: 'mismatch' };
  if (input.lastUsedStep !== undefined && step <= input.lastUsedStep) return { ok: false, reason: 'replayed' };
  return { ok: true, step };
}

export interface VerifyHotpInput {
  seed: Buffer;
  code: string;
  // The next counter the token is expected to show (one past the last accepted one).
  counter: number;
  // How many counters past `counter` to also try, for button presses that never reached us.
  lookAhead: number;
  digits?: OathDigits;
  algorithm?: OathAlgorithm;
}

// `counter` is the matched counter (record it as used); `nextCounter` is the one to store.
export type VerifyHotpResult = { ok: true; counter: number; nextCounter: number } | { ok: false; reason: 'mismatch' };

export function verifyHotp(input: VerifyHotpInput): VerifyHotpResult {
  const digits = input.digits ?? 6;
  const algorithm = input.algorithm ?? 'SHA1';
  checkSeed(input.seed);
  checkDigits(digits);
  checkAlgorithm(algorithm);
  return verifyHotpCodes({ ...input, digits, codeAt: (c) => hotpUnchecked(input.seed, c, digits, algorithm) });
}

// verifyHotp over codes someone already computed (OathCodeCache): codeAt(counter) is the
// token's code at that counter.
export function verifyHotpCodes(input: Omit<VerifyHotpInput, 'seed' | 'algorithm'> & { codeAt: (counter: number) => string }): VerifyHotpResult {
  const digits = input.digits ?? 6;
  checkDigits(digits);
  checkCounter(input.counter, 'counter');
  checkCounter(input.lookAhead, 'lookAhead');
  if (!isWellFormed(input.code, digits)) return { ok: false, reason: 'mismatch' };
  // The lowest matching counter wins: a token shows its counters in order, so that is the press
  // the user made. A 6-digit code is also the code of some other counter of the window about
  // once in 100,000 sign-ins (look-ahead 10); taking the highest match then moved the counter
  // past the token, and the user's next presses were refused until the lockout shut them out.
  // Counters below `counter` are never tried; the code accepted last (at counter - 1) is refused
  // even where a later counter of the window happens to share it, so it cannot be used twice.
  const previous = input.counter > 0 ? input.codeAt(input.counter - 1) : null;
  const matched = matchIn(input.codeAt, input.code, input.counter, input.counter + input.lookAhead, 'lowest');
  if (matched === null || (previous !== null && sameCode(previous, input.code))) return { ok: false, reason: 'mismatch' };
  return { ok: true, counter: matched, nextCounter: matched + 1 };
}
