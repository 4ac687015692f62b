import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, UseFilters, UseGuards } from '@nestjs/common';
import { SdkAuthGuard } from '../auth/sdk-auth.guard';
import { Principal, RequireScope, SdkPrincipal, UserAssertionHeader } from '../auth/sdk-principal';
import { SdkProblemFilter } from '../errors/sdk-problem.filter';
import { DeviceActivationService } from './device-activation.service';
import { DeviceApprovalsService } from './device-approvals.service';

// The signed-in user's devices (self-service, for the portal's pages).
@Controller('sdk/v1/self-service')
@UseGuards(SdkAuthGuard)
@UseFilters(SdkProblemFilter)
export class OwnDevicesController {
  constructor(private readonly service: DeviceActivationService) {}

  @Post('device-activations')
  @HttpCode(201)
  @RequireScope('self-service')
  issue(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined) {
    return this.service.issue(principal, assertion);
  }

  @Get('devices')
  @RequireScope('self-service')
  list(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined) {
    return this.service.listOwn(principal, assertion);
  }

  @Delete('devices/:deviceId')
  @HttpCode(204)
  @RequireScope('self-service')
  async remove(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Param('deviceId') deviceId: string) {
    await this.service.removeOwn(principal, assertion, deviceId);
  }
}

// What devices call (through the portal's /mobile/v1): activation, then signed polls and answers.
@Controller('sdk/v1/devices')
@UseGuards(SdkAuthGuard)
@UseFilters(SdkProblemFilter)
export class DevicesController {
  constructor(private readonly activation: DeviceActivationService, private readonly approvals: DeviceApprovalsService) {}

  @Post('activations')
  @HttpCode(201)
  @RequireScope('devices')
  activate(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.activation.activate(principal, body);
  }

  @Get(':deviceId/approvals')
  @RequireScope('devices')
  poll(
    @Principal() principal: SdkPrincipal, @Param('deviceId') deviceId: string, @Query('wait') wait: unknown,
    @Headers('x-device-time') time: string | undefined, @Headers('x-device-signature') signature: string | undefined,
  ) {
    return this.approvals.poll(principal, deviceId, { wait, time, signature });
  }

  @Post(':deviceId/approvals/answer')
  @HttpCode(200)
  @RequireScope('devices')
  answer(@Principal() principal: SdkPrincipal, @Param('deviceId') deviceId: string, @Body() body: unknown) {
    return this.approvals.answer(principal, deviceId, body);
  }
}
