import { z } from 'zod';
import { defineCommand } from '../commands/command';
import { secretField } from '../commands/fields';
import { SealContext, SecretSealer } from '../crypto/secret-box';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { makeEvent } from '../events/event-record';
import type { DirectoryState } from './directory';
import { DirectoryEvent, DirectorySourceConfig, NESTED_GROUP_MODES } from './directory.events';

// A directory source's configuration: add, update (any field but the name), remove.
export const DIRECTORY_NAME_RULE = 'must be 1 to 32 characters from a-z, 0-9 and "-"';
export const directoryNameField = z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, DIRECTORY_NAME_RULE);
const text = z.string().trim().min(1, 'must not be empty').max(512, 'must be at most 512 characters');
const attribute = z.string().trim().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be an LDAP attribute name');

// The fields without their defaults (an update gives only what changes).
const fields = {
  urls: z.array(z.string().trim().regex(/^ldaps?:\/\/[^\s/]+\/?$/i, 'must be ldap://host[:port] or ldaps://host[:port]')).min(1, 'must list at least one URL').max(8),
  startTls: z.boolean(),
  caFile: text.nullable(),
  bindDn: text,
  bindPassword: secretField(z.string().min(1, 'must not be empty').max(512)),
  baseDn: text,
  filter: text,
  groupDn: text.nullable(),
  mapping: z.strictObject({
    username: attribute.default('uid'),
    displayName: attribute.optional(),
    email: attribute.optional(),
    phones: z.array(attribute).max(5).optional(),
    language: attribute.optional(),
  }),
  intervalMinutes: z.number().int().min(0).max(7 * 24 * 60),
  removal: z.enum(['disable', 'delete']),
  thresholdPercent: z.number().min(0).max(100),
  timeoutMs: z.number().int().min(100).max(120_000),
  nestedGroups: z.enum(NESTED_GROUP_MODES, { error: 'must be off, auto, in-chain or walk' }),
};

const START_TLS_RULE = 'startTls is for ldap:// URLs (ldaps:// is TLS already)';
const startTlsFits = (v: { startTls?: boolean; urls?: string[] }) => !(v.startTls && (v.urls ?? []).some((u) => u.toLowerCase().startsWith('ldaps:')));

export const AddDirectorySource = defineCommand('AddDirectorySource', z.strictObject({
  name: directoryNameField,
  urls: fields.urls,
  startTls: fields.startTls.default(false),
  caFile: fields.caFile.default(null),
  bindDn: fields.bindDn,
  bindPassword: fields.bindPassword,
  baseDn: fields.baseDn,
  filter: fields.filter.default('(objectClass=person)'),
  groupDn: fields.groupDn.default(null),
  mapping: fields.mapping.default({ username: 'uid' }),
  intervalMinutes: fields.intervalMinutes.default(15),
  removal: fields.removal.default('disable'),
  thresholdPercent: fields.thresholdPercent.default(10),
  timeoutMs: fields.timeoutMs.default(5000),
  nestedGroups: fields.nestedGroups.default('off'),
}).refine(startTlsFits, { message: START_TLS_RULE, path: ['startTls'] }));
export type AddDirectorySource = ReturnType<typeof AddDirectorySource.create>;

export const UpdateDirectorySource = defineCommand('UpdateDirectorySource', z.strictObject({
  name: directoryNameField,
  changes: z.strictObject(Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.optional()])) as { [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]> })
    .refine((c) => Object.values(c).some((v) => v !== undefined), 'must change at least one field'),
}));
export type UpdateDirectorySource = ReturnType<typeof UpdateDirectorySource.create>;

const sealPassword = (sealer: SecretSealer, name: string, password: { reveal(): string }) => sealer.seal(password.reveal(), SealContext.directoryBindPassword(name));

const unknown = (name: string) => DomainError.rule(DomainErrorCode.UnknownDirectory, 'name', `No directory source "${name}".`);

export function decideAddDirectorySource(state: DirectoryState, command: AddDirectorySource, ctx: { sealer: SecretSealer }): DirectoryEvent[] {
  if (state.config) throw DomainError.rule(DomainErrorCode.AlreadyExists, 'name', `A directory source "${command.name}" already exists.`);
  const { bindPassword, ...rest } = command;
  const { type: _t, ...config } = rest as typeof rest & { type?: string };
  return [makeEvent('DirectorySourceAdded', { ...config, bindPassword: sealPassword(ctx.sealer, command.name, bindPassword) } as DirectorySourceConfig)];
}

// Only what differs is recorded; the merged configuration must still hold together.
export function decideUpdateDirectorySource(state: DirectoryState, command: UpdateDirectorySource, ctx: { sealer: SecretSealer }): DirectoryEvent[] {
  const current = state.config;
  if (!current) throw unknown(command.name);
  const { bindPassword, ...given } = command.changes;
  const changes: Partial<DirectorySourceConfig> = {};
  for (const [key, value] of Object.entries(given)) {
    if (value !== undefined && JSON.stringify(value) !== JSON.stringify(current[key as keyof DirectorySourceConfig])) (changes as Record<string, unknown>)[key] = value;
  }
  if (!startTlsFits({ ...current, ...changes })) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'startTls', `startTls: ${START_TLS_RULE}`);
  if (bindPassword) changes.bindPassword = sealPassword(ctx.sealer, command.name, bindPassword);
  return Object.keys(changes).length === 0 ? [] : [makeEvent('DirectorySourceUpdated', { name: command.name, changes })];
}

export function decideRemoveDirectorySource(state: DirectoryState, name: string, ctx: { now: Date }): DirectoryEvent[] {
  if (!state.config) throw unknown(name);
  return [makeEvent('DirectorySourceRemoved', { name, at: ctx.now.toISOString(), keptUsers: Object.keys(state.linked).length })];
}
