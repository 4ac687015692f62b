import { Body, Controller, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { SdkAuthGuard } from '../auth/sdk-auth.guard';
import { Principal, RequireScope, SdkPrincipal } from '../auth/sdk-principal';
import { SdkProblemFilter } from '../errors/sdk-problem.filter';
import { InvitationsService } from './invitations.service';

@Controller('sdk/v1/invitations')
@UseGuards(SdkAuthGuard)
@UseFilters(SdkProblemFilter)
export class InvitationsController {
  constructor(private readonly service: InvitationsService) {}

  @Post('redeem')
  @HttpCode(200)
  @RequireScope('authenticate')
  redeem(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.service.redeem(principal, body);
  }
}
