import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { toRecord } from '../events/event-record';
import { DEFAULT_SETTINGS } from './default-settings';
import { decideUpdateSettings, foldSettings, INITIAL_SETTINGS_STATE } from './settings.aggregate';
import { UpdateSettings } from './settings.commands';
import { applySettingsChanges } from './settings-rules';
import { thrown } from '../testing/thrown';

const errorOf = (fn: () => unknown): DomainError => thrown(DomainError, fn);

describe('DEFAULT_SETTINGS', () => {
  it('holds the documented defaults', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      pin: { minLength: 4, maxLength: 8, rejectTrivial: true },
      lockout: { failuresBeforeLockout: 5, resetCounterMinutes: 10, autoUnlockMinutes: 15 },
      fraud: { autoBlock: true, blockMinutes: 60 },
      defaultMethod: 'totp',
      otp: { length: 6, validitySeconds: 300, totpDriftSteps: 1 },
    });
  });
});

describe('applySettingsChanges', () => {
  it('deep-merges and leaves the input alone', () => {
    const next = applySettingsChanges(DEFAULT_SETTINGS, { lockout: { autoUnlockMinutes: 0 }, defaultMethod: 'sms' });
    expect(next.lockout).toEqual({ failuresBeforeLockout: 5, resetCounterMinutes: 10, autoUnlockMinutes: 0 });
    expect(next.defaultMethod).toBe('sms');
    expect(next.pin).toEqual(DEFAULT_SETTINGS.pin);
    expect(DEFAULT_SETTINGS.lockout.autoUnlockMinutes).toBe(15);
  });

  it.each([
    [{ pin: { minLength: 3 } }, 'pin.minLength'],
    [{ pin: { maxLength: 33 } }, 'pin.maxLength'],
    [{ pin: { minLength: 9 } }, 'pin.minLength'], // above maxLength 8
    [{ lockout: { failuresBeforeLockout: -1 } }, 'lockout.failuresBeforeLockout'],
    [{ lockout: { resetCounterMinutes: 0 } }, 'lockout.resetCounterMinutes'],
    [{ lockout: { autoUnlockMinutes: 1.5 } }, 'lockout.autoUnlockMinutes'],
    [{ fraud: { autoBlock: 'yes' } }, 'fraud.autoBlock'],
    [{ otp: { length: 3 } }, 'otp.length'],
    [{ otp: { validitySeconds: 10 } }, 'otp.validitySeconds'],
    [{ otp: { totpDriftSteps: 11 } }, 'otp.totpDriftSteps'],
    [{ defaultMethod: 'carrier-pigeon' }, 'defaultMethod'],
    [{ lockout: { typo: 1 } }, 'lockout.typo'],
  ])('rejects %j as invalid_setting on %s', (changes, field) => {
    const error = errorOf(() => applySettingsChanges(DEFAULT_SETTINGS, changes as never));
    expect(error.code).toBe(DomainErrorCode.InvalidSetting);
    expect(error.field).toBe(field);
  });
});

describe('settings aggregate', () => {
  it('starts from the defaults and folds updates', () => {
    const events = decideUpdateSettings(INITIAL_SETTINGS_STATE, UpdateSettings.create({ changes: { pin: { minLength: 6 } } }));
    expect(events).toEqual([{ type: 'SettingsUpdated', schemaVersion: 1, data: { changes: { pin: { minLength: 6 } } } }]);
    const state = foldSettings(events.map(toRecord));
    expect(state.version).toBe(1);
    expect(state.settings.pin).toEqual({ minLength: 6, maxLength: 8, rejectTrivial: true });
  });

  it('records only what differs, and nothing for a no-op', () => {
    const events = decideUpdateSettings(INITIAL_SETTINGS_STATE, UpdateSettings.create({ changes: { pin: { minLength: 4, maxLength: 10 }, defaultMethod: 'totp' } }));
    expect(events[0].data.changes).toEqual({ pin: { maxLength: 10 } });
    expect(decideUpdateSettings(INITIAL_SETTINGS_STATE, UpdateSettings.create({ changes: { pin: { minLength: 4 } } }))).toEqual([]);
  });

  it('checks cross-field rules against the current settings', () => {
    const state = foldSettings(decideUpdateSettings(INITIAL_SETTINGS_STATE, UpdateSettings.create({ changes: { pin: { maxLength: 6 } } })));
    expect(errorOf(() => decideUpdateSettings(state, UpdateSettings.create({ changes: { pin: { minLength: 7 } } }))).code).toBe(DomainErrorCode.InvalidSetting);
  });

  it('validates ranges when the command is created and rejects stale versions when deciding', () => {
    expect(errorOf(() => UpdateSettings.create({ changes: { otp: { length: 99 } } })).field).toBe('otp.length');
    const state = foldSettings(decideUpdateSettings(INITIAL_SETTINGS_STATE, UpdateSettings.create({ changes: { otp: { length: 8 } } })));
    expect(errorOf(() => decideUpdateSettings(state, UpdateSettings.create({ changes: { otp: { length: 6 } }, expectedVersion: 0 }))).code)
      .toBe(DomainErrorCode.VersionConflict);
  });
});
