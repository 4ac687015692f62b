import { z } from 'zod';
import { Command, parseInput } from '../commands/command';
import { expectedVersionField } from '../commands/fields';
import { DeepPartial, Settings } from './settings.events';
import { parseSettingsChanges } from './settings-rules';

const updateSettingsSchema = z.strictObject({
  changes: z.record(z.string(), z.unknown()),
  expectedVersion: expectedVersionField,
});

export type UpdateSettings = Command<'UpdateSettings', { changes: DeepPartial<Settings>; expectedVersion?: number }>;
export const UpdateSettings = {
  type: 'UpdateSettings' as const,
  // Ranges are checked here (code 'invalid_setting', field like "lockout.autoUnlockMinutes");
  // cross-field rules are checked again against the current settings when deciding.
  create(input: unknown): UpdateSettings {
    const { changes, expectedVersion } = parseInput(updateSettingsSchema, input);
    return Object.freeze({ type: 'UpdateSettings', changes: parseSettingsChanges(changes), expectedVersion }) as UpdateSettings;
  },
};
