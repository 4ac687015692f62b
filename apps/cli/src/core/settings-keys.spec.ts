import { assignmentsToObject, flatten } from './settings-keys';

describe('settings key=value assignments', () => {
  it('builds a deep partial object, reading values as JSON when they are JSON', () => {
    expect(assignmentsToObject(['lockout.failuresBeforeLockout=3', 'fraud.autoBlock=false', 'defaultMethod=sms', 'pin.minLength="6"'])).toEqual({
      lockout: { failuresBeforeLockout: 3 },
      fraud: { autoBlock: false },
      defaultMethod: 'sms',
      pin: { minLength: '6' },
    });
  });

  it('keeps "=" inside the value', () => {
    expect(assignmentsToObject(['a.b=x=y'])).toEqual({ a: { b: 'x=y' } });
  });

  it('refuses a missing "=", bad keys, repeats and clashes as usage errors', () => {
    for (const bad of [['lockout'], ['.a=1'], ['a..b=1'], ['a=1', 'a=2'], ['a=1', 'a.b=2'], ['a.b=1', 'a=2'], []]) {
      expect(() => assignmentsToObject(bad)).toThrow(expect.objectContaining({ code: 'usage', exitCode: 2 }));
    }
  });

  it('flattens back to dotted keys', () => {
    expect(flatten({ pin: { minLength: 4 }, defaultMethod: 'totp', version: 2 })).toEqual([
      ['pin.minLength', 4], ['defaultMethod', 'totp'], ['version', 2],
    ]);
  });
});
