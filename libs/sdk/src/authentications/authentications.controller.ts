import { Body, Controller, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { SdkAuthGuard } from '../auth/sdk-auth.guard';
import { Principal, RequireScope, SdkPrincipal } from '../auth/sdk-principal';
import { SdkProblemFilter } from '../errors/sdk-problem.filter';
import { AuthenticationsService } from './authentications.service';

@Controller('sdk/v1')
@UseGuards(SdkAuthGuard)
@UseFilters(SdkProblemFilter)
export class AuthenticationsController {
  constructor(private readonly service: AuthenticationsService) {}

  @Post('authentications')
  @HttpCode(200)
  @RequireScope('authenticate')
  start(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.service.start(principal, body);
  }

  @Post('authentications/answer')
  @HttpCode(200)
  @RequireScope('authenticate')
  answer(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.service.answer(principal, body);
  }

  @Post('authentications/poll')
  @HttpCode(200)
  @RequireScope('authenticate')
  poll(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.service.poll(principal, body);
  }

  @Post('authentications/cancel')
  @HttpCode(200)
  @RequireScope('authenticate')
  cancel(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.service.cancel(principal, body);
  }

  @Post('pin-validations')
  @HttpCode(200)
  @RequireScope('authenticate')
  validatePin(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.service.validatePin(principal, body);
  }
}
