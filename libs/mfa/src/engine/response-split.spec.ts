import type { OathTokenForCheck } from './engine.ports';
import { beforeLongestCode, codeSplits, distinctDigits, pinSplits, smsAnswerSplit } from './response-split';

const tokens = (...digits: number[]) => digits.map((d) => ({ digits: d })) as unknown as OathTokenForCheck[];

describe('response splitting (what the user typed, before any secret is checked)', () => {
  it('reads password, PIN and code from the end, longest code first, digits only', () => {
    expect(distinctDigits(tokens(6, 8, 6))).toEqual([8, 6]);
    expect(codeSplits('hunter2 4821 12345678', tokens(6, 8))).toEqual([
      { code: '12345678', rest: 'hunter2 4821 ' },
      { code: '345678', rest: 'hunter2 4821 12' },
    ]);
    expect(codeSplits('123456', tokens(6))).toEqual([{ code: '123456', rest: '' }]);
    expect(codeSplits('12345', tokens(6))).toEqual([]);
    expect(codeSplits('password', tokens(6))).toEqual([]);
    expect(codeSplits('anything', [])).toEqual([]);
  });

  it('finds a PIN at the end of a password, longest first, never leaving the password empty', () => {
    expect(pinSplits('secret123456', { minLength: 4, maxLength: 6 })).toEqual([
      { pin: '123456', rest: 'secret' }, { pin: '23456', rest: 'secret1' }, { pin: '3456', rest: 'secret12' },
    ]);
    expect(pinSplits('1234', { minLength: 4, maxLength: 6 })).toEqual([]);
    expect(pinSplits('pass12ab', { minLength: 4, maxLength: 6 })).toEqual([]);
  });

  it('cuts an SMS answer at the code length, and what comes before the longest code', () => {
    expect(smsAnswerSplit('4821123456', 6)).toEqual({ code: '123456', rest: '4821', long: true });
    expect(smsAnswerSplit('1234', 6)).toMatchObject({ long: false });
    expect(beforeLongestCode('4821123456', tokens(6))).toBe('4821');
    expect(beforeLongestCode('12', tokens(6))).toBe('');
  });
});
