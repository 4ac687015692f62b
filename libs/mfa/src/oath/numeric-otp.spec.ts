import { generateNumericOtp } from './numeric-otp';
import { OathError } from './oath.error';

describe('generateNumericOtp', () => {
  it('returns exactly `length` digits, leading zeros included', () => {
    for (const length of [4, 6, 8, 12]) {
      for (let i = 0; i < 50; i++) expect(generateNumericOtp(length)).toMatch(new RegExp(`^[0-9]{${length}}$`));
    }
  });

  it('uses every digit in every position (no stuck or biased digit)', () => {
    const seen = Array.from({ length: 6 }, () => new Array<number>(10).fill(0));
    const draws = 20000;
    for (let i = 0; i < draws; i++) [...generateNumericOtp(6)].forEach((d, pos) => seen[pos][Number(d)]++);
    // Expected 2000 per cell; 1700..2300 is > 6 standard deviations wide, so this never flakes.
    const counts = seen.flat();
    expect(Math.min(...counts)).toBeGreaterThan(1700);
    expect(Math.max(...counts)).toBeLessThan(2300);
  });

  it('refuses lengths that are too short to be a second factor', () => {
    expect(() => generateNumericOtp(3)).toThrow(OathError);
    expect(() => generateNumericOtp(6.5)).toThrow(OathError);
  });
});
