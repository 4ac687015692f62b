import { DomainErrorCode } from '../errors/domain-error';
import { checkPin, isTrivialPin } from './pin-policy';

describe('PIN rules', () => {
  const rules = { minLength: 4, maxLength: 8, rejectTrivial: true };

  it.each(['0000', '1111', '99999999', '1234', '0123', '6789', '4321', '9876', '3210', '12345678'])('%s is trivial', (pin) => {
    expect(isTrivialPin(pin)).toBe(true);
    expect(checkPin(pin, rules)?.code).toBe(DomainErrorCode.PinTrivial);
  });

  it.each(['2580', '1357', '1243', '8901', '1122', '90210'])('%s is accepted', (pin) => {
    expect(checkPin(pin, rules)).toBeNull();
  });

  it('checks digits, then length', () => {
    expect(checkPin('12 34', rules)?.code).toBe(DomainErrorCode.PinNotNumeric);
    expect(checkPin('-123', rules)?.code).toBe(DomainErrorCode.PinNotNumeric);
    expect(checkPin('', rules)?.code).toBe(DomainErrorCode.PinNotNumeric);
    expect(checkPin('258', rules)?.code).toBe(DomainErrorCode.PinTooShort);
    expect(checkPin('258025802', rules)?.code).toBe(DomainErrorCode.PinTooLong);
    expect(checkPin('258', rules)?.rule).toBe('PIN must have at least 4 digits.');
  });

  it('allows trivial PINs when the setting is off', () => {
    expect(checkPin('1111', { ...rules, rejectTrivial: false })).toBeNull();
  });
});
