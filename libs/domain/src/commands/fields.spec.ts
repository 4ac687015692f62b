import { normalizeUsername, usernameField } from './fields';

describe('username normalisation', () => {
  it('is the rule commands apply, so a lookup finds what a command stored', () => {
    for (const raw of ['  Alice ', 'BOB@EXAMPLE.COM', 'carol.c_d-e', '\tDave\n']) {
      expect(normalizeUsername(raw)).toBe(usernameField.parse(raw));
    }
  });
});
