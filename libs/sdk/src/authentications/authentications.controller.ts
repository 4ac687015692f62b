import { Body } from '@nestjs/common';
import { Principal, SdkPrincipal } from '../auth/sdk-principal';
import { SdkController, SdkRoute } from '../auth/sdk-route';
import { AuthenticationsService } from './authentications.service';

@SdkController('sdk/v1')
export class AuthenticationsController {
  constructor(private readonly service: AuthenticationsService) {}

  @SdkRoute('post', 'authentications', 'authenticate', 200)
  start(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.service.start(principal, body);
  }

  @SdkRoute('post', 'authentications/answer', 'authenticate', 200)
  answer(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.service.answer(principal, body);
  }

  @SdkRoute('post', 'authentications/poll', 'authenticate', 200)
  poll(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.service.poll(principal, body);
  }

  @SdkRoute('post', 'authentications/cancel', 'authenticate', 200)
  cancel(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.service.cancel(principal, body);
  }

  @SdkRoute('post', 'pin-validations', 'authenticate', 200)
  validatePin(@Principal() principal: SdkPrincipal, @Body() body: unknown) {
    return this.service.validatePin(principal, body);
  }
}
