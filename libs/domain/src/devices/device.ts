import { z } from 'zod';
import { defineCommand } from '../commands/command';
import { idField, sourceField } from '../commands/fields';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { EventLike } from '../events/event-record';
import { narrowEvent } from '../events/narrow-event';
import { Streams } from '../events/streams';
import { DeviceActivated, DeviceActivationIssued, DeviceRemoved } from './devices.events';

// A user's mobile-app devices: activation codes issued (one use, until they expire), devices
// activated with their public key, devices removed. Stream `devices-<userId>`.
export const devicesStream = Streams.devices;

const hashField = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex');
export const DEVICE_NAME_RULE = 'must be 1 to 64 characters';
export const deviceNameField = z.string().trim().min(1, DEVICE_NAME_RULE).max(64, DEVICE_NAME_RULE);
// An uncompressed P-256 SPKI DER is 91 bytes (122 base64url characters); a little room for others.
export const devicePublicKeyField = z.string().regex(/^[A-Za-z0-9_-]{40,400}$/, 'must be a P-256 public key (SPKI DER, base64url)');
export const pushAddressField = z.union([z.null(), z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(512, 'must be at most 512 characters')]);

export const IssueDeviceActivation = defineCommand('IssueDeviceActivation', z.strictObject({
  userId: idField, codeHash: hashField, expiresAt: z.string().datetime(), source: sourceField,
}));
export type IssueDeviceActivation = ReturnType<typeof IssueDeviceActivation.create>;

export const ActivateDevice = defineCommand('ActivateDevice', z.strictObject({
  deviceId: idField, userId: idField, codeHash: hashField, name: deviceNameField, publicKey: devicePublicKeyField, pushAddress: pushAddressField.default(null),
}));
export type ActivateDevice = ReturnType<typeof ActivateDevice.create>;

export const RemoveDevice = defineCommand('RemoveDevice', z.strictObject({ userId: idField, deviceId: idField, source: sourceField }));
export type RemoveDevice = ReturnType<typeof RemoveDevice.create>;

export interface DeviceRecord { deviceId: string; name: string; publicKey: string; pushAddress: string | null; activatedAt: string }
export interface DevicesState {
  version: number;
  codes: Record<string, { expiresAt: string; used: boolean }>; // by code hash
  devices: DeviceRecord[];
}

export const MAX_DEVICES_PER_USER = 10;
const EMPTY: DevicesState = { version: 0, codes: {}, devices: [] };
const DEVICE_STREAM_EVENTS = { DeviceActivationIssued: true, DeviceActivated: true, DeviceRemoved: true } as const;

export function foldDevices(events: Iterable<EventLike>, from: DevicesState = EMPTY): DevicesState {
  let s = from;
  for (const e of events) {
    const event = narrowEvent(e, DEVICE_STREAM_EVENTS);
    s = { ...s, version: s.version + 1 };
    if (event?.type === 'DeviceActivationIssued') {
      const { at, codeHash, expiresAt } = event.data;
      s = { ...s, codes: { ...liveCodes(s.codes, at), [codeHash]: { expiresAt, used: false } } };
    } else if (event?.type === 'DeviceActivated') {
      const { codeHash, deviceId, name, publicKey, pushAddress, at } = event.data;
      const code = s.codes[codeHash];
      const device = { deviceId, name, publicKey, pushAddress: pushAddress ?? null, activatedAt: at };
      s = { ...s, codes: code ? { ...s.codes, [codeHash]: { ...code, used: true } } : s.codes, devices: [...s.devices, device] };
    } else if (event?.type === 'DeviceRemoved') {
      const { deviceId } = event.data;
      s = { ...s, devices: s.devices.filter((d) => d.deviceId !== deviceId) };
    }
  }
  return s;
}

// Codes that expired are forgotten when a new one is issued (the state stays small).
function liveCodes(codes: DevicesState['codes'], at: string): DevicesState['codes'] {
  return Object.fromEntries(Object.entries(codes).filter(([, c]) => !c.used && c.expiresAt > at));
}

export function decideIssueDeviceActivation(state: DevicesState, command: IssueDeviceActivation, ctx: { now: Date }): DeviceActivationIssued[] {
  if (state.codes[command.codeHash]) throw DomainError.rule(DomainErrorCode.AlreadyExists, 'codeHash', 'This activation code was already issued.');
  return [{ type: 'DeviceActivationIssued', schemaVersion: 1, data: { userId: command.userId, codeHash: command.codeHash, expiresAt: command.expiresAt, at: ctx.now.toISOString(), source: command.source } }];
}

// Unknown, used and expired codes read the same: nothing to learn by probing.
export function decideActivateDevice(state: DevicesState, command: ActivateDevice, ctx: { now: Date }): DeviceActivated[] {
  const code = state.codes[command.codeHash];
  if (!code || code.used || Date.parse(code.expiresAt) <= ctx.now.getTime()) {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, 'activationCode', 'The activation code is not valid, was used already or has expired.');
  }
  if (state.devices.length >= MAX_DEVICES_PER_USER) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'activationCode', `A user may have at most ${MAX_DEVICES_PER_USER} devices; remove one first.`);
  const { deviceId, userId, name, publicKey, pushAddress, codeHash } = command;
  return [{ type: 'DeviceActivated', schemaVersion: 1, data: { deviceId, userId, name, publicKey, pushAddress, codeHash, at: ctx.now.toISOString() } }];
}

export function decideRemoveDevice(state: DevicesState, command: RemoveDevice, ctx: { now: Date }): DeviceRemoved[] {
  if (!state.devices.some((d) => d.deviceId === command.deviceId)) throw DomainError.rule(DomainErrorCode.UnknownDevice, 'deviceId', `No device "${command.deviceId}" for this user.`);
  return [{ type: 'DeviceRemoved', schemaVersion: 1, data: { deviceId: command.deviceId, userId: command.userId, at: ctx.now.toISOString(), source: command.source } }];
}
