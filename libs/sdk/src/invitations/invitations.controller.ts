import { Body } from '@nestjs/common';
import { Principal, SdkPrincipal } from '../auth/sdk-principal';
import { SdkController, SdkRoute } from '../auth/sdk-route';
import { InvitationsService } from './invitations.service';

@SdkController('sdk/v1/invitations')
export class InvitationsController {
  constructor(private readonly service: InvitationsService) {}

  @SdkRoute('post', 'redeem', 'authenticate', 200)
  redeem(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.service.redeem(principal, body);
  }
}
