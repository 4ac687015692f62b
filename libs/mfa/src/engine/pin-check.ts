import { SealContext } from '@twofold/domain';
import type { PasswordVerifier } from './engine.ports';
import type { SignInAttempt } from './attempt';
import { DIGITS, pinSplits } from './response-split';

// The PIN is the whole text (alone), or the end of it (after a password). Returns what is left
// (the password), or null when no PIN matched. A user without a PIN: the text is all password.
export async function matchPin(hasher: PasswordVerifier, attempt: SignInAttempt, text: string, alone: boolean): Promise<string | null> {
  const pinHash = attempt.state.pinHash;
  if (pinHash === null) return text;
  const context = SealContext.pinHash(attempt.userId);
  if (alone) return DIGITS.test(text) && (await hasher.verify(pinHash, text, context)) ? '' : null;
  for (const { pin, rest } of pinSplits(text, attempt.settings.pin)) {
    if (await hasher.verify(pinHash, pin, context)) return rest;
  }
  return null;
}
