import { Body, Headers, Param, Query } from '@nestjs/common';
import { Principal, SdkPrincipal, UserAssertionHeader } from '../auth/sdk-principal';
import { SdkController, SdkRoute } from '../auth/sdk-route';
import { DeviceActivationService } from './device-activation.service';
import { DeviceApprovalsService } from './device-approvals.service';

// The signed-in user's devices (self-service, for the portal's pages).
@SdkController('sdk/v1/self-service')
export class OwnDevicesController {
  constructor(private readonly service: DeviceActivationService) {}

  @SdkRoute('post', 'device-activations', 'self-service', 201)
  issue(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined) {
    return this.service.issue(principal, assertion);
  }

  @SdkRoute('get', 'devices', 'self-service')
  list(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined) {
    return this.service.listOwn(principal, assertion);
  }

  @SdkRoute('delete', 'devices/:deviceId', 'self-service', 204)
  async remove(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Param('deviceId') deviceId: string) {
    await this.service.removeOwn(principal, assertion, deviceId);
  }
}

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
