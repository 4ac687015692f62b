import { Body, Headers, Param, Query } from '@nestjs/common';
import { Principal, SdkPrincipal } from '../auth/sdk-principal';
import { SdkController, SdkRoute, sdkOperationsController } from '../auth/sdk-route';
import { DeviceActivationService } from './device-activation.service';
import { DeviceApprovalsService } from './device-approvals.service';

// The signed-in user's devices (self-service, for the portal's pages).
export const OwnDevicesController = sdkOperationsController('OwnDevicesController', DeviceActivationService, {
  issueDeviceActivation: 'issue', listOwnDevices: 'listOwn', removeOwnDevice: 'removeOwn',
});

// What devices call (through the portal's /mobile/v1): activation, then signed polls and answers.
@SdkController('sdk/v1/devices')
export class DevicesController {
  constructor(private readonly activation: DeviceActivationService, private readonly approvals: DeviceApprovalsService) {}

  @SdkRoute('post', 'activations', 'devices', 201)
  activate(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.activation.activate(principal, body);
  }

  @SdkRoute('get', ':deviceId/approvals', 'devices')
  poll(
    @Principal() principal: SdkPrincipal, @Param('deviceId') deviceId: string, @Query('wait') wait: unknown,
    @Headers('x-device-time') time: string | undefined, @Headers('x-device-signature') signature: string | undefined,
  ) {
    return this.approvals.poll(principal, deviceId, { wait, time, signature });
  }

  @SdkRoute('post', ':deviceId/approvals/answer', 'devices', 200)
  answer(@Principal() principal: SdkPrincipal, @Param('deviceId') deviceId: string, @Body() body: unknown) {
    return this.approvals.answer(principal, deviceId, body);
  }
}
