import type { OathTokenForCheck } from './engine.ports';

// Pure splitting of what the user typed: [password][PIN]code, PIN alone, code alone. Nothing here
// checks a secret; the callers try each split against the hashes and seeds.

export const DIGITS = /^[0-9]+$/;

// The code lengths of the user's tokens, longest first.
export function distinctDigits(tokens: readonly OathTokenForCheck[]): number[] {
  return [...new Set(tokens.map((t) => t.digits))].sort((a, b) => b - a);
}

// Every reading of `text` as `rest` followed by an all-digit code of one of the tokens' lengths.
export function codeSplits(text: string, tokens: readonly OathTokenForCheck[]): Array<{ code: string; rest: string }> {
  const splits: Array<{ code: string; rest: string }> = [];
  for (const digits of distinctDigits(tokens)) {
    if (text.length < digits) continue;
    const code = text.slice(-digits);
    if (DIGITS.test(code)) splits.push({ code, rest: text.slice(0, -digits) });
  }
  return splits;
}

// What comes before the longest code: where a PIN is checked when no code matched.
export function beforeLongestCode(text: string, tokens: readonly OathTokenForCheck[]): string {
  const digits = distinctDigits(tokens)[0] ?? 0;
  return text.slice(0, Math.max(0, text.length - digits));
}

// A PIN at the end of `text` (after a password), longest first; the password is never empty.
export function pinSplits(text: string, pin: { minLength: number; maxLength: number }): Array<{ pin: string; rest: string }> {
  const splits: Array<{ pin: string; rest: string }> = [];
  for (let length = pin.maxLength; length >= pin.minLength; length--) {
    if (text.length <= length) continue;
    const candidate = text.slice(-length);
    if (DIGITS.test(candidate)) splits.push({ pin: candidate, rest: text.slice(0, -length) });
  }
  return splits;
}

// An SMS answer: [PIN]code, the code of a known length at the end.
export function smsAnswerSplit(response: string, length: number): { code: string; rest: string; long: boolean } {
  return { code: response.slice(-length), rest: response.slice(0, -length), long: response.length >= length };
}
