import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { toRecord } from '../events/event-record';
import { decideAddAdministrator, decideRemoveAdministrator, foldAdministrator, INITIAL_ADMINISTRATOR_STATE } from './administrator.aggregate';
import { AddAdministrator, RemoveAdministrator } from './administrator.commands';
import { thrown } from '../testing/thrown';

const codeOf = (fn: () => unknown): DomainErrorCode => thrown(DomainError, fn).code;

describe('administrators', () => {
  const add = () => {
    const command = AddAdministrator.create({ adminId: 'a1', name: ' Root ', password: 'correct horse' });
    return decideAddAdministrator(INITIAL_ADMINISTRATOR_STATE, command, { passwordHash: 'hash', nameTaken: false });
  };

  it('adds an administrator with a hashed password only', () => {
    const events = add();
    expect(events).toEqual([{ type: 'AdministratorAdded', schemaVersion: 1, data: { adminId: 'a1', name: 'root', passwordHash: 'hash' } }]);
    expect(foldAdministrator(events.map(toRecord))).toMatchObject({ exists: true, name: 'root', version: 1 });
  });

  it('validates the name and the password length', () => {
    expect(codeOf(() => AddAdministrator.create({ name: 'bad name', password: 'correct horse' }))).toBe(DomainErrorCode.ValidationFailed);
    expect(codeOf(() => AddAdministrator.create({ name: 'root', password: 'short' }))).toBe(DomainErrorCode.PasswordTooShort);
  });

  it('refuses a taken name', () => {
    const command = AddAdministrator.create({ name: 'root', password: 'correct horse' });
    expect(codeOf(() => decideAddAdministrator(INITIAL_ADMINISTRATOR_STATE, command, { passwordHash: 'h', nameTaken: true }))).toBe(DomainErrorCode.DuplicateAdministrator);
  });

  it('never removes the last administrator', () => {
    const state = foldAdministrator(add());
    expect(codeOf(() => decideRemoveAdministrator(state, RemoveAdministrator.create({ adminId: 'a1' }), { administratorCount: 1 }))).toBe(DomainErrorCode.LastAdministrator);
    const removed = foldAdministrator(decideRemoveAdministrator(state, RemoveAdministrator.create({ adminId: 'a1' }), { administratorCount: 2 }), state);
    expect(removed).toMatchObject({ removed: true, passwordHash: null });
    expect(codeOf(() => decideRemoveAdministrator(removed, RemoveAdministrator.create({ adminId: 'a1' }), { administratorCount: 2 }))).toBe(DomainErrorCode.UnknownAdministrator);
    expect(codeOf(() => decideRemoveAdministrator(INITIAL_ADMINISTRATOR_STATE, RemoveAdministrator.create({ adminId: 'a1' }), { administratorCount: 3 }))).toBe(DomainErrorCode.UnknownAdministrator);
  });
});
