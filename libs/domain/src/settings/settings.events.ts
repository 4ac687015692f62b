import { DomainEvent } from '../events/event';
import type { AuthMethod } from '../users/user.events';

// ---- settings (one stream) ----
export interface Settings {
  pin: { minLength: number; maxLength: number; rejectTrivial: boolean };
  lockout: { failuresBeforeLockout: number; resetCounterMinutes: number; autoUnlockMinutes: number };
  fraud: { autoBlock: boolean; blockMinutes: number };
  defaultMethod: AuthMethod;
  otp: { length: number; validitySeconds: number; totpDriftSteps: number };
}
export type SettingsUpdated = DomainEvent<'SettingsUpdated', { changes: DeepPartial<Settings> }>;

export type SettingsEvent = SettingsUpdated;

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
