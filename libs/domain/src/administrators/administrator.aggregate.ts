import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { AdministratorEvent } from './administrator.events';
import { foldWith, makeEvent } from '../events/event-record';
import { evolver } from '../events/narrow-event';
import { AddAdministrator, RemoveAdministrator } from './administrator.commands';

// Stream `administrator-<adminId>`.
export interface AdministratorState {
  version: number;
  exists: boolean;
  removed: boolean;
  adminId: string | null;
  name: string | null;
  passwordHash: string | null;
}

export const INITIAL_ADMINISTRATOR_STATE: AdministratorState = Object.freeze({
  version: 0,
  exists: false,
  removed: false,
  adminId: null,
  name: null,
  passwordHash: null,
});

export const evolveAdministrator = evolver<AdministratorState, AdministratorEvent>({
  AdministratorAdded: (s, { adminId, name, passwordHash }) => ({ ...s, exists: true, removed: false, adminId, name, passwordHash }),
  AdministratorRemoved: (s) => ({ ...s, removed: true, passwordHash: null }),
});

export const foldAdministrator = foldWith(evolveAdministrator, INITIAL_ADMINISTRATOR_STATE);

// passwordHash: SecretHasher.hash(command.password.reveal()). nameTaken: from the read model
// (names are unique across administrator streams).
export function decideAddAdministrator(
  state: AdministratorState,
  command: AddAdministrator,
  ctx: { passwordHash: string; nameTaken: boolean },
): AdministratorEvent[] {
  if (state.exists) throw DomainError.rule(DomainErrorCode.AlreadyExists, 'adminId', 'An administrator with this id already exists.');
  if (ctx.nameTaken) throw DomainError.rule(DomainErrorCode.DuplicateAdministrator, 'name', 'An administrator with this name already exists.');
  return [makeEvent('AdministratorAdded', { adminId: command.adminId, name: command.name, passwordHash: ctx.passwordHash })];
}

// administratorCount: active administrators right now, this one included (from the read model).
// The cluster must never be left without anyone who can administer it.
export function decideRemoveAdministrator(
  state: AdministratorState,
  command: RemoveAdministrator,
  ctx: { administratorCount: number },
): AdministratorEvent[] {
  if (!state.exists || state.removed || state.adminId !== command.adminId) {
    throw DomainError.rule(DomainErrorCode.UnknownAdministrator, 'adminId', 'No such administrator.');
  }
  if (ctx.administratorCount <= 1) {
    throw DomainError.rule(DomainErrorCode.LastAdministrator, 'adminId', 'The last administrator cannot be removed.');
  }
  return [makeEvent('AdministratorRemoved', { adminId: command.adminId })];
}
