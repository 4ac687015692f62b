import { z } from 'zod';
import { defineCommand } from '../commands/command';
import { idField, secretField, usernameField } from '../commands/fields';
import { passwordField } from '../users/user.commands';
import { newId } from '../shared/new-id';

// name follows the username rules (trimmed, lower-case, a-z 0-9 . _ @ -).
// password: at least 8 characters; the caller hashes `password.reveal()` with a SecretHasher.
export const AddAdministrator = defineCommand(
  'AddAdministrator',
  z.strictObject({
    adminId: idField.default(() => newId()),
    name: usernameField,
    password: secretField(passwordField),
  }),
);
export type AddAdministrator = ReturnType<typeof AddAdministrator.create>;

export const RemoveAdministrator = defineCommand('RemoveAdministrator', z.strictObject({ adminId: idField }));
export type RemoveAdministrator = ReturnType<typeof RemoveAdministrator.create>;
