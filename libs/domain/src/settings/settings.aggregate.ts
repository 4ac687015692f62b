import { Settings, SettingsEvent } from './settings.events';
import { EventLike, makeEvent } from '../events/event-record';
import { EventTypes, narrowEvent } from '../events/narrow-event';
import { assertExpectedVersion } from '../shared/versioning';
import { DEFAULT_SETTINGS } from './default-settings';
import { UpdateSettings } from './settings.commands';
import { applySettingsChanges, diffSettings, mergeSettings } from './settings-rules';

// Stream `settings`: one per cluster; an empty stream means DEFAULT_SETTINGS.
export interface SettingsState {
  version: number;
  settings: Settings;
}

export const INITIAL_SETTINGS_STATE: SettingsState = Object.freeze({ version: 0, settings: DEFAULT_SETTINGS });

const SETTINGS_EVENTS: EventTypes<SettingsEvent> = { SettingsUpdated: true };

export function evolveSettings(state: SettingsState, event: EventLike): SettingsState {
  const typed = narrowEvent(event, SETTINGS_EVENTS);
  const version = state.version + 1;
  if (typed) {
    return { version, settings: mergeSettings(state.settings, typed.data.changes) };
  }
  return { ...state, version };
}

export function foldSettings(events: Iterable<EventLike>, state: SettingsState = INITIAL_SETTINGS_STATE): SettingsState {
  let s = state;
  for (const e of events) s = evolveSettings(s, e);
  return s;
}

export function decideUpdateSettings(state: SettingsState, command: UpdateSettings): SettingsEvent[] {
  assertExpectedVersion(state.version, command.expectedVersion);
  const next = applySettingsChanges(state.settings, command.changes);
  const changes = diffSettings(state.settings, next);
  return Object.keys(changes).length === 0 ? [] : [makeEvent('SettingsUpdated', { changes })];
}
