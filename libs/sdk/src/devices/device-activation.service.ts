import { Injectable } from '@nestjs/common';
import { ActivateDeviceRequest, DeviceActivated, DeviceActivationIssued, DeviceList } from '@twofold/sdk-client';
import { DomainErrorCode, hasErrorCode } from '@twofold/domain';
import { p256PublicKey } from '@twofold/mfa';
import { z } from 'zod';
import { SdkError } from '../errors/sdk-error';
import { parseInput } from '../sdk-input';
import type { SdkPrincipal } from '../auth/sdk-principal';
import { SelfServiceFeature } from '../self-service/self-service-feature';

export const deviceIdParam = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a device id');

// Activation: the signed-in user asks for a code (self-service); the device sends it back with
// its public key. The user lists and removes their own devices.
@Injectable()
export class DeviceActivationService extends SelfServiceFeature {
  async issue(principal: SdkPrincipal, assertion: string | undefined): Promise<DeviceActivationIssued> {
    const user = await this.selfService.signedIn(principal, assertion);
    this.limits.user(user.userId);
    const issued = await this.deps.commands.devices.issueActivation(user.userId, { actor: `sdk:${principal.name}`, correlationId: `self-service:${user.userId}` });
    this.deps.logger.info({ credential: principal.name, userId: user.userId, op: 'self-service.device-activation' }, 'SDK self-service change');
    return issued;
  }

  async listOwn(principal: SdkPrincipal, assertion: string | undefined): Promise<DeviceList> {
    const user = await this.selfService.signedIn(principal, assertion);
    const devices = await this.deps.commands.devices.list(user.userId);
    return { devices: devices.map((d) => ({ deviceId: d.deviceId, name: d.name, activatedAt: d.activatedAt })) };
  }

  async removeOwn(principal: SdkPrincipal, assertion: string | undefined, deviceId: string): Promise<void> {
    const user = await this.selfService.signedIn(principal, assertion);
    const id = parseInput(deviceIdParam, deviceId, 'deviceId');
    this.limits.user(user.userId);
    await this.deps.commands.devices.remove(user.userId, id, { actor: `sdk:${principal.name}`, correlationId: `self-service:${user.userId}` });
    this.deps.logger.info({ credential: principal.name, userId: user.userId, deviceId: id, op: 'self-service.device-removed' }, 'SDK self-service change');
  }

  // A wrong, used or expired code is refused with nothing written; guesses are limited per
  // credential (every call) and in a bucket of their own for activations.
  async activate(principal: SdkPrincipal, body: unknown): Promise<DeviceActivated> {
    const input = parseInput(ActivateDeviceRequest, body);
    this.limits.user(`device-activation:${principal.credentialId}`);
    if (!p256PublicKey(input.publicKey)) throw new SdkError('validation_failed', 'publicKey: must be an ECDSA P-256 public key (SPKI DER, base64url)', { field: 'publicKey' });
    let activated: { deviceId: string; userId: string };
    try {
      activated = await this.deps.commands.devices.activate(
        { activationCode: input.activationCode, name: input.name, publicKey: input.publicKey, pushAddress: input.pushAddress ?? null },
        { actor: `sdk:${principal.name}` },
      );
    } catch (error) {
      if (hasErrorCode(error) && (error as { code: string }).code === DomainErrorCode.ValidationFailed && (error as { field?: string }).field === 'activationCode') {
        this.deps.logger.warn({ credential: principal.name, op: 'device.activation-refused' }, 'device activation refused');
        throw new SdkError('activation_code_invalid', (error as Error).message, { field: 'activationCode' });
      }
      throw error;
    }
    const user = await this.deps.commands.getUser(activated.userId);
    this.deps.logger.info({ credential: principal.name, userId: activated.userId, deviceId: activated.deviceId, op: 'device.activated' }, 'device activated');
    return { deviceId: activated.deviceId, username: user.username };
  }
}
