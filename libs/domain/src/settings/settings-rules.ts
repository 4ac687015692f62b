import { z } from 'zod';
import { parseInput } from '../commands/command';
import { AUTH_METHODS } from '../commands/fields';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { DeepPartial, Settings } from './settings.events';

const int = (min: number, max: number) =>
  z.number().int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

// Ranges, field by field. Zero has a meaning where allowed:
// failuresBeforeLockout 0 = never lock out; autoUnlockMinutes 0 = locked until an administrator
// unlocks; fraud.blockMinutes 0 = blocked until an administrator unblocks.
const shape = {
  pin: {
    minLength: int(4, 32),
    maxLength: int(4, 32),
    rejectTrivial: z.boolean(),
  },
  lockout: {
    failuresBeforeLockout: int(0, 100),
    resetCounterMinutes: int(1, 10080),
    autoUnlockMinutes: int(0, 525600),
  },
  fraud: {
    autoBlock: z.boolean(),
    blockMinutes: int(0, 525600),
  },
  otp: {
    length: int(4, 10),
    validitySeconds: int(30, 3600),
    totpDriftSteps: int(0, 10),
  },
};

export const settingsSchema = z.strictObject({
  pin: z.strictObject(shape.pin),
  lockout: z.strictObject(shape.lockout),
  fraud: z.strictObject(shape.fraud),
  defaultMethod: z.enum(AUTH_METHODS),
  otp: z.strictObject(shape.otp),
});

export const settingsChangesSchema = z.strictObject({
  pin: z.strictObject(shape.pin).partial().optional(),
  lockout: z.strictObject(shape.lockout).partial().optional(),
  fraud: z.strictObject(shape.fraud).partial().optional(),
  defaultMethod: z.enum(AUTH_METHODS).optional(),
  otp: z.strictObject(shape.otp).partial().optional(),
});

function asInvalidSetting(error: unknown): never {
  if (error instanceof DomainError && error.code === DomainErrorCode.ValidationFailed) {
    throw new DomainError(DomainErrorCode.InvalidSetting, error.message, {
      field: error.field,
      rule: error.rule,
      issues: error.issues.map((i) => ({ ...i, code: DomainErrorCode.InvalidSetting })),
    });
  }
  throw error;
}

export function parseSettingsChanges(input: unknown): DeepPartial<Settings> {
  try {
    return parseInput(settingsChangesSchema, input) as DeepPartial<Settings>;
  } catch (error) {
    return asInvalidSetting(error);
  }
}

export function validateSettings(settings: unknown): Settings {
  let parsed: Settings;
  try {
    parsed = parseInput(settingsSchema, settings) as Settings;
  } catch (error) {
    return asInvalidSetting(error);
  }
  if (parsed.pin.minLength > parsed.pin.maxLength) {
    throw DomainError.rule(DomainErrorCode.InvalidSetting, 'pin.minLength', 'pin.minLength must not be greater than pin.maxLength');
  }
  return parsed;
}

function mergeDeep<T>(base: T, changes: DeepPartial<T> | undefined): T {
  if (changes === undefined) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(changes as Record<string, unknown>)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object'
        ? mergeDeep(current, value as DeepPartial<typeof current>)
        : value;
  }
  return out as T;
}

// Deep-merges changes into settings and validates the result (ranges, pin min <= max).
export function applySettingsChanges(settings: Settings, changes: DeepPartial<Settings>): Settings {
  return validateSettings(mergeDeep(settings, parseSettingsChanges(changes)));
}

// Replay path: the log holds only changes that were valid when decided, so no re-validation
// (a later release tightening a range must not make old logs unreadable).
export function mergeSettings(settings: Settings, changes: DeepPartial<Settings>): Settings {
  return mergeDeep(settings, changes);
}

// Only the leaves that actually differ, so a no-op update appends nothing.
export function diffSettings(before: Settings, after: Settings): DeepPartial<Settings> {
  const diff = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(b)) {
      const av = a[key];
      const bv = b[key];
      if (bv !== null && typeof bv === 'object') {
        const nested = diff((av ?? {}) as Record<string, unknown>, bv as Record<string, unknown>);
        if (Object.keys(nested).length > 0) out[key] = nested;
      } else if (av !== bv) {
        out[key] = bv;
      }
    }
    return out;
  };
  return diff(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>) as DeepPartial<Settings>;
}
