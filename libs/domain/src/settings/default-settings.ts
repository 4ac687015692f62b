import { Settings } from './settings.events';

export const DEFAULT_SETTINGS: Settings = Object.freeze({
  pin: Object.freeze({ minLength: 4, maxLength: 8, rejectTrivial: true }),
  lockout: Object.freeze({ failuresBeforeLockout: 5, resetCounterMinutes: 10, autoUnlockMinutes: 15 }),
  fraud: Object.freeze({ autoBlock: true, blockMinutes: 60 }),
  defaultMethod: 'totp',
  otp: Object.freeze({ length: 6, validitySeconds: 300, totpDriftSteps: 1 }),
}) as Settings;
