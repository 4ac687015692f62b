import { Body, Controller, Get, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { SdkAuthGuard } from '../auth/sdk-auth.guard';
import { Principal, RequireScope, SdkPrincipal, UserAssertionHeader } from '../auth/sdk-principal';
import { SdkProblemFilter } from '../errors/sdk-problem.filter';
import { TokenEnrolmentService } from './token-enrolment.service';
import { PhoneChangeService } from './phone-change.service';

@Controller('sdk/v1/self-service')
@UseGuards(SdkAuthGuard)
@UseFilters(SdkProblemFilter)
export class TokenEnrolmentController {
  constructor(private readonly service: TokenEnrolmentService, private readonly phones: PhoneChangeService) {}

  @Post('token-enrolments')
  @RequireScope('self-service')
  begin(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.service.begin(principal, assertion, body);
  }

  @Post('token-enrolments/confirm')
  @RequireScope('self-service')
  confirm(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.service.confirm(principal, assertion, body);
  }

  @Post('phone-changes')
  @RequireScope('self-service')
  beginPhoneChange(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.phones.begin(principal, assertion, body);
  }

  @Post('phone-changes/confirm')
  @HttpCode(200)
  @RequireScope('self-service')
  confirmPhoneChange(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.phones.confirm(principal, assertion, body);
  }

  @Get('activity')
  @RequireScope('self-service')
  activity(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined) {
    return this.service.activity(principal, assertion);
  }
}
