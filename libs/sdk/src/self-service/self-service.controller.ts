import { Body, Param } from '@nestjs/common';
import { Principal, SdkPrincipal, UserAssertionHeader } from '../auth/sdk-principal';
import { SdkController, SdkRoute } from '../auth/sdk-route';
import { SelfServiceService } from './self-service.service';

@SdkController('sdk/v1/self-service')
export class SelfServiceController {
  constructor(private readonly service: SelfServiceService) {}

  @SdkRoute('get', 'me', 'self-service')
  me(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined) {
    return this.service.me(principal, assertion);
  }

  @SdkRoute('put', 'pin', 'self-service', 204)
  async changePin(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    await this.service.changePin(principal, assertion, body);
  }

  @SdkRoute('put', 'phone', 'self-service')
  changePhone(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.service.changePhone(principal, assertion, body);
  }

  @SdkRoute('post', 'tokens', 'self-service')
  enrollToken(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.service.enrollToken(principal, assertion, body);
  }

  @SdkRoute('delete', 'tokens/:tokenId', 'self-service', 204)
  async removeToken(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Param('tokenId') tokenId: string) {
    await this.service.removeToken(principal, assertion, tokenId);
  }

  @SdkRoute('post', 'fraud-reports', 'self-service', 200)
  reportFraud(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.service.reportFraud(principal, assertion, body);
  }
}
