import { createHash, randomInt } from 'node:crypto';
import {
  ActivateDevice, decideActivateDevice, decideIssueDeviceActivation, decideRemoveDevice, devicesStream, DomainError, DomainErrorCode,
  foldDevices, IssueDeviceActivation, newId, RemoveDevice,
} from '@twofold/domain';
import type { DeviceView, ReadModelQueries } from '@twofold/read-model';
import { Actor } from './actor';
import { StreamExecutor } from './stream-executor';

export interface IssuedDeviceActivation { activationCode: string; expiresAt: string }
export interface DeviceActivationInput { activationCode: string; name: string; publicKey: string; pushAddress?: string | null }

export const DEVICE_ACTIVATION_TTL_MS = 10 * 60 * 1000;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const CODE_LENGTH = 10; // 50 random bits, typed as ABCD-EFGH-JK

// "abcd efgh-jk" and "ABCDEFGHJK" are the same code; the log keeps only this hash of it.
export function deviceActivationCodeHash(code: string): string | null {
  const plain = code.replace(/[\s-]/g, '').toUpperCase();
  if (plain.length !== CODE_LENGTH || [...plain].some((c) => !ALPHABET.includes(c))) return null;
  return createHash('sha256').update(`twofold-device-activation\n${plain}`, 'utf8').digest('hex');
}

const invalidCode = () => DomainError.rule(DomainErrorCode.ValidationFailed, 'activationCode', 'The activation code is not valid, was used already or has expired.');

// Mobile-app devices: a signed-in user asks for an activation code; the device sends it with its
// public key (once, before it expires); the user or an administrator removes devices.
export class DeviceCommands {
  constructor(
    private readonly executor: StreamExecutor,
    private readonly queries: ReadModelQueries,
    private readonly clock: () => Date,
  ) {}

  async issueActivation(userId: string, actor: Actor, ttlMs = DEVICE_ACTIVATION_TTL_MS): Promise<IssuedDeviceActivation> {
    const plain = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    const activationCode = `${plain.slice(0, 4)}-${plain.slice(4, 8)}-${plain.slice(8)}`;
    const expiresAt = new Date(this.clock().getTime() + ttlMs).toISOString();
    const command = IssueDeviceActivation.create({ userId, codeHash: deviceActivationCodeHash(plain)!, expiresAt, source: actor.actor.slice(0, 128) });
    await this.executor.execute(devicesStream(userId), foldDevices, (s) => decideIssueDeviceActivation(s, command, { now: this.clock() }), actor);
    return { activationCode, expiresAt };
  }

  // Unknown, used and expired codes fail the same way (validation_failed on activationCode).
  async activate(input: DeviceActivationInput, actor: Actor): Promise<{ deviceId: string; userId: string }> {
    const codeHash = deviceActivationCodeHash(input.activationCode);
    const issued = codeHash ? await this.queries.findDeviceActivation(codeHash) : null;
    if (!codeHash || !issued) throw invalidCode();
    const deviceId = newId();
    const command = ActivateDevice.create({ deviceId, userId: issued.userId, codeHash, name: input.name, publicKey: input.publicKey, pushAddress: input.pushAddress ?? null });
    await this.executor.execute(devicesStream(issued.userId), foldDevices, (s) => decideActivateDevice(s, command, { now: this.clock() }), actor);
    return { deviceId, userId: issued.userId };
  }

  list(userId: string): Promise<DeviceView[]> {
    return this.queries.listDevices(userId);
  }

  async remove(userId: string, deviceId: string, actor: Actor): Promise<void> {
    const command = RemoveDevice.create({ userId, deviceId, source: actor.actor.slice(0, 128) });
    await this.executor.execute(devicesStream(userId), foldDevices, (s) => decideRemoveDevice(s, command, { now: this.clock() }), actor);
  }
}
