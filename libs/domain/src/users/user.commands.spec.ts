import { inspect } from 'node:util';
import { base32Decode, base32Encode } from '../crypto/base32';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { DEFAULT_SETTINGS } from '../settings/default-settings';
import { AssignOathToken, CreateUser, SetPassword, SetPin, UpdateUser } from './user.commands';
import { thrown } from '../testing/thrown';

const errorOf = (fn: () => unknown): DomainError => thrown(DomainError, fn);

describe('CreateUser.create', () => {
  it('normalises username, e-mail, phones and language and fills defaults', () => {
    const sut = CreateUser.create({
      username: '  Alice.Smith@Corp ',
      email: ' Alice@Example.ORG ',
      phones: [{ number: '+44 (20) 7946-0958' }],
      language: 'EN-gb',
    });
    expect(sut).toMatchObject({
      type: 'CreateUser',
      username: 'alice.smith@corp',
      email: 'alice@example.org',
      phones: [{ label: 'mobile', number: '+442079460958' }],
      language: 'en-GB',
      displayName: '',
    });
    expect(sut.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sut.preferredMethod).toBeUndefined();
    expect(Object.isFrozen(sut)).toBe(true);
  });

  it('treats an empty e-mail as none', () => {
    expect(CreateUser.create({ username: 'bob', email: '' }).email).toBeNull();
  });

  it.each([
    [{ username: '' }, 'username'],
    [{ username: 'has space' }, 'username'],
    [{ username: 'a'.repeat(65) }, 'username'],
    [{ username: 'bob', email: 'not-an-email' }, 'email'],
    [{ username: 'bob', phones: [{ number: '12345678' }] }, 'phones.0.number'],
    [{ username: 'bob', phones: [{ number: '+12345' }] }, 'phones.0.number'],
    [{ username: 'bob', preferredMethod: 'fax' }, 'preferredMethod'],
    [{ username: 'bob', language: 'english' }, 'language'],
    [{}, 'username'],
  ])('rejects %j naming the field %s', (input, field) => {
    const error = errorOf(() => CreateUser.create(input));
    expect(error.code).toBe(DomainErrorCode.ValidationFailed);
    expect(error.field).toBe(field);
    expect(error.rule).toContain(field);
  });

  it('rejects unknown fields by name', () => {
    const error = errorOf(() => CreateUser.create({ username: 'bob', pasword: 'x' }));
    expect(error.field).toBe('pasword');
    expect(error.message).toContain('not a known field');
  });

  it('reports every broken field, not only the first', () => {
    const error = errorOf(() => CreateUser.create({ username: '', email: 'nope' }));
    expect(error.issues.map((i) => i.field)).toEqual(['username', 'email']);
  });

  it('does not accept a non-object', () => {
    expect(errorOf(() => CreateUser.create('bob')).code).toBe(DomainErrorCode.ValidationFailed);
  });
});

describe('UpdateUser.create', () => {
  it('needs at least one change', () => {
    const error = errorOf(() => UpdateUser.create({ userId: 'u1', changes: {} }));
    expect(error.field).toBe('changes');
  });

  it('does not allow the username to change', () => {
    expect(errorOf(() => UpdateUser.create({ userId: 'u1', changes: { username: 'x' } })).field).toBe('changes.username');
  });
});

describe('SetPin.create', () => {
  const rules = DEFAULT_SETTINGS.pin;

  it.each([
    ['12a4', DomainErrorCode.PinNotNumeric],
    ['135', DomainErrorCode.PinTooShort],
    ['135792468', DomainErrorCode.PinTooLong],
    ['1111', DomainErrorCode.PinTrivial],
    ['1234', DomainErrorCode.PinTrivial],
  ])('rejects %s with %s on field pin, without echoing it', (pin, code) => {
    const error = errorOf(() => SetPin.create({ userId: 'u1', pin }, rules));
    expect(error.code).toBe(code);
    expect(error.field).toBe('pin');
    expect(error.message).not.toContain(pin);
    expect(JSON.stringify(error)).not.toContain(pin);
  });

  it('follows the rules it is given', () => {
    expect(() => SetPin.create({ userId: 'u1', pin: '1234' }, { ...rules, rejectTrivial: false })).not.toThrow();
    expect(errorOf(() => SetPin.create({ userId: 'u1', pin: '2580' }, { ...rules, minLength: 6 })).code).toBe(DomainErrorCode.PinTooShort);
  });

  it('keeps the PIN out of logs and JSON', () => {
    const sut = SetPin.create({ userId: 'u1', pin: '2580' }, rules);
    expect(sut.pin.reveal()).toBe('2580');
    expect(JSON.stringify(sut)).not.toContain('2580');
    expect(inspect(sut, { depth: 5 })).not.toContain('2580');
  });
});

describe('SetPassword.create', () => {
  it('needs at least 8 characters', () => {
    const error = errorOf(() => SetPassword.create({ userId: 'u1', password: 'short' }));
    expect(error.code).toBe(DomainErrorCode.PasswordTooShort);
    expect(error.field).toBe('password');
    expect(error.message).not.toContain('short');
  });

  it('accepts 8 characters and redacts them', () => {
    const sut = SetPassword.create({ userId: 'u1', password: 'correct horse' });
    expect(sut.password.reveal()).toBe('correct horse');
    expect(JSON.stringify(sut)).not.toContain('horse');
  });
});

describe('AssignOathToken.create', () => {
  it('generates a 20-byte seed and TOTP defaults', () => {
    const sut = AssignOathToken.create({ userId: 'u1' });
    expect(sut).toMatchObject({ kind: 'totp', algorithm: 'SHA1', digits: 6, period: 30, counter: 0 });
    expect(sut.seed.reveal()).toHaveLength(20);
    expect(AssignOathToken.create({ userId: 'u1' }).seed.reveal().equals(sut.seed.reveal())).toBe(false);
  });

  it('takes a base32 seed as given', () => {
    const seed = base32Encode(Buffer.from('12345678901234567890'));
    const sut = AssignOathToken.create({ userId: 'u1', kind: 'hotp', seed: seed.toLowerCase(), digits: 8 });
    expect(sut.seed.reveal()).toEqual(base32Decode(seed));
    expect(sut.kind).toBe('hotp');
  });

  it.each([
    [{ digits: 7 }, 'digits', DomainErrorCode.ValidationFailed],
    [{ period: 45 }, 'period', DomainErrorCode.ValidationFailed],
    [{ algorithm: 'MD5' }, 'algorithm', DomainErrorCode.ValidationFailed],
    [{ kind: 'sms' }, 'kind', DomainErrorCode.ValidationFailed],
    [{ seed: 'not base32!' }, 'seed', DomainErrorCode.InvalidSeed],
    [{ seed: 'JBSWY3DPEHPK3PXP' }, 'seed', DomainErrorCode.InvalidSeed], // 10 bytes: below 128 bits
  ])('rejects %j on field %s', (input, field, code) => {
    const error = errorOf(() => AssignOathToken.create({ userId: 'u1', ...input }));
    expect(error.field).toBe(field);
    expect(error.code).toBe(code);
  });
});
