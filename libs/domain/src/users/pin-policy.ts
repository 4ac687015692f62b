import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { Settings } from '../settings/settings.events';

export type PinRules = Settings['pin'];

// 1111, 0000: every digit the same.
function allSame(pin: string): boolean {
  return /^(\d)\1*$/.test(pin);
}

// 1234, 0123, 4321, 9876: each digit one more (or one less) than the last.
function isRun(pin: string, step: 1 | -1): boolean {
  for (let i = 1; i < pin.length; i++) {
    if (pin.charCodeAt(i) - pin.charCodeAt(i - 1) !== step) return false;
  }
  return true;
}

export function isTrivialPin(pin: string): boolean {
  return allSame(pin) || isRun(pin, 1) || isRun(pin, -1);
}

// The first rule the PIN breaks, or null. The rule text never contains the PIN.
export function checkPin(pin: string, rules: PinRules): DomainError | null {
  if (!/^[0-9]+$/.test(pin)) return DomainError.rule(DomainErrorCode.PinNotNumeric, 'pin', 'PIN must contain digits only.');
  if (pin.length < rules.minLength) {
    return DomainError.rule(DomainErrorCode.PinTooShort, 'pin', `PIN must have at least ${rules.minLength} digits.`);
  }
  if (pin.length > rules.maxLength) {
    return DomainError.rule(DomainErrorCode.PinTooLong, 'pin', `PIN must have at most ${rules.maxLength} digits.`);
  }
  if (rules.rejectTrivial && isTrivialPin(pin)) {
    return DomainError.rule(
      DomainErrorCode.PinTrivial,
      'pin',
      // No example digits in the text: they could be the very PIN that was typed.
      'PIN must not be one digit repeated or a run of consecutive digits, up or down.',
    );
  }
  return null;
}

export function assertPinAllowed(pin: string, rules: PinRules): void {
  const error = checkPin(pin, rules);
  if (error) throw error;
}
