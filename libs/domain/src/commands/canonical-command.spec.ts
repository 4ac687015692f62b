import { hasErrorCode } from '../errors/error-code';
import { RecordFailedAuthentication, RecordOathCodeUsed, RecordSuccessfulAuthentication } from '../users/user.commands';

// The sign-in commands skip the schema for inputs it would return unchanged: the results and the
// refusals must be the schema's either way.
describe('commands built on the sign-in path', () => {
  it('takes an already normalised input as it is', () => {
    expect(RecordSuccessfulAuthentication.create({ userId: 'u-1', source: 'radius:c1' })).toEqual({ type: 'RecordSuccessfulAuthentication', userId: 'u-1', source: 'radius:c1' });
    expect(RecordOathCodeUsed.create({ userId: 'u-1', tokenId: 't.1', counter: 7 })).toEqual({ type: 'RecordOathCodeUsed', userId: 'u-1', tokenId: 't.1', counter: 7 });
    expect(Object.isFrozen(RecordFailedAuthentication.create({ userId: 'u-1', reason: 'wrong code', source: 'sdk:x' }))).toBe(true);
  });

  it('still normalises what needs it', () => {
    expect(RecordSuccessfulAuthentication.create({ userId: ' u-1 ', source: ' radius:c1 ' })).toEqual({ type: 'RecordSuccessfulAuthentication', userId: 'u-1', source: 'radius:c1' });
  });

  it.each([
    ['an empty source', () => RecordSuccessfulAuthentication.create({ userId: 'u-1', source: '' })],
    ['a missing source', () => RecordSuccessfulAuthentication.create({ userId: 'u-1' })],
    ['an unknown field', () => RecordSuccessfulAuthentication.create({ userId: 'u-1', source: 's', extra: 1 })],
    ['a bad id', () => RecordOathCodeUsed.create({ userId: 'u 1', tokenId: 't', counter: 1 })],
    ['a negative counter', () => RecordOathCodeUsed.create({ userId: 'u', tokenId: 't', counter: -1 })],
    ['a fractional counter', () => RecordOathCodeUsed.create({ userId: 'u', tokenId: 't', counter: 1.5 })],
    ['a reason too long', () => RecordFailedAuthentication.create({ userId: 'u', reason: 'x'.repeat(257), source: 's' })],
  ])('refuses %s', (_name, create) => {
    let error: unknown;
    try {
      create();
    } catch (e) {
      error = e;
    }
    expect(hasErrorCode(error, 'validation_failed')).toBe(true);
  });
});
