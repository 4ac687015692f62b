import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseFilters, UseGuards } from '@nestjs/common';
import { SdkAuthGuard } from '../auth/sdk-auth.guard';
import { Principal, RequireScope, SdkPrincipal, UserAssertionHeader } from '../auth/sdk-principal';
import { SdkProblemFilter } from '../errors/sdk-problem.filter';
import { SelfServiceService } from './self-service.service';

@Controller('sdk/v1/self-service')
@UseGuards(SdkAuthGuard)
@UseFilters(SdkProblemFilter)
export class SelfServiceController {
  constructor(private readonly service: SelfServiceService) {}

  @Get('me')
  @RequireScope('self-service')
  me(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined) {
    return this.service.me(principal, assertion);
  }

  @Put('pin')
  @HttpCode(204)
  @RequireScope('self-service')
  async changePin(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    await this.service.changePin(principal, assertion, body);
  }

  @Put('phone')
  @RequireScope('self-service')
  changePhone(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.service.changePhone(principal, assertion, body);
  }

  @Post('tokens')
  @RequireScope('self-service')
  enrollToken(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.service.enrollToken(principal, assertion, body);
  }

  @Delete('tokens/:tokenId')
  @HttpCode(204)
  @RequireScope('self-service')
  async removeToken(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Param('tokenId') tokenId: string) {
    await this.service.removeToken(principal, assertion, tokenId);
  }

  @Post('fraud-reports')
  @HttpCode(200)
  @RequireScope('self-service')
  reportFraud(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.service.reportFraud(principal, assertion, body);
  }
}
