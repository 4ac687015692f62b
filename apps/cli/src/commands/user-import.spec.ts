import { planLine, readHeader } from './user-import';
import type { UserView } from './views';

const columns = readHeader(['username', 'displayName', 'email', 'phone', 'preferredMethod', 'language']);

const existing: UserView = {
  userId: 'u1', username: 'bob', displayName: 'Bob', email: 'bob@example.org', phones: [{ label: 'office', number: '+4930123456' }, { label: 'home', number: '+4930999999' }],
  preferredMethod: 'totp', language: 'en', enabled: true, hasPin: false, hasPassword: false, locked: false, lockedUntil: null,
  blocked: false, blockedUntil: null, version: 4, createdAt: '', updatedAt: '',
};

describe('CSV user import planning', () => {
  it('refuses unknown, repeated or missing columns in the header', () => {
    expect(() => readHeader(['username', 'mail'])).toThrow(/unknown column "mail"/);
    expect(() => readHeader(['username', 'email', 'EMAIL'])).toThrow(/"email" appears twice/);
    expect(() => readHeader(['email'])).toThrow(/must name a "username" column/);
    expect(readHeader([' Username ', 'DISPLAYNAME'])).toEqual(['username', 'displayName']);
  });

  it('plans a create with only the given cells, normalised like the server does', () => {
    const sut = planLine(2, columns, [' Alice ', 'Alice A', 'Alice@Example.org', '+49 151 1234-5678', '', 'DE-ch'], null, new Map());
    expect(sut.result).toEqual({ line: 2, username: 'alice', action: 'create' });
    expect(sut.body).toEqual({ username: 'alice', displayName: 'Alice A', email: 'alice@example.org', phones: [{ label: 'mobile', number: '+4915112345678' }], language: 'de-CH' });
  });

  it('plans an update of the changed fields only, keeping the other phones, guarded by the version', () => {
    const sut = planLine(3, columns, ['bob', 'Bob', 'BOB@example.org', '+4917000000', 'sms', ''], existing, new Map());
    expect(sut.result).toEqual({ line: 3, username: 'bob', action: 'update', changes: ['phone', 'preferredMethod'] });
    expect(sut.body).toEqual({ phones: [{ label: 'office', number: '+4917000000' }, { label: 'home', number: '+4930999999' }], preferredMethod: 'sms' });
    expect(sut.version).toBe(4);
  });

  it('finds a line that changes nothing unchanged, and empty cells never clear a value', () => {
    expect(planLine(4, columns, ['bob', '', '', '', '', ''], existing, new Map()).result.action).toBe('unchanged');
    expect(planLine(4, columns, ['bob', 'Bob', 'bob@example.org', '+4930123456', 'totp', 'en'], existing, new Map()).result.action).toBe('unchanged');
  });

  it('marks invalid lines with the rule they break, and a username seen on an earlier line', () => {
    expect(planLine(5, columns, ['carol', '', 'not-an-email', '', '', ''], null, new Map()).result).toMatchObject({ action: 'invalid', code: 'validation_failed', reason: expect.stringMatching(/^email: must be an e-mail address/) });
    expect(planLine(6, columns, ['dave', '', '', '', 'pigeon', ''], null, new Map()).result).toMatchObject({ action: 'invalid', reason: expect.stringMatching(/^preferredMethod: /) });
    expect(planLine(7, columns, ['erin', 'x'], null, new Map()).result).toMatchObject({ action: 'invalid', reason: 'has 2 fields, the header has 6' });
    expect(planLine(8, columns, ['Bob', '', '', '', '', ''], null, new Map([['bob', 3]])).result).toMatchObject({ action: 'invalid', code: 'duplicate_username', reason: 'username also on line 3' });
  });
});
