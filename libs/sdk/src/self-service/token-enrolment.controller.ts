import { Body } from '@nestjs/common';
import { Principal, SdkPrincipal, UserAssertionHeader } from '../auth/sdk-principal';
import { SdkController, SdkRoute } from '../auth/sdk-route';
import { TokenEnrolmentService } from './token-enrolment.service';
import { PhoneChangeService } from './phone-change.service';

@SdkController('sdk/v1/self-service')
export class TokenEnrolmentController {
  constructor(private readonly service: TokenEnrolmentService, private readonly phones: PhoneChangeService) {}

  @SdkRoute('post', 'token-enrolments', 'self-service')
  begin(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.service.begin(principal, assertion, body);
  }

  @SdkRoute('post', 'token-enrolments/confirm', 'self-service')
  confirm(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.service.confirm(principal, assertion, body);
  }

  @SdkRoute('post', 'phone-changes', 'self-service')
  beginPhoneChange(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.phones.begin(principal, assertion, body);
  }

  @SdkRoute('post', 'phone-changes/confirm', 'self-service', 200)
  confirmPhoneChange(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined, @Body() body: unknown) {
    return this.phones.confirm(principal, assertion, body);
  }

  @SdkRoute('get', 'activity', 'self-service')
  activity(@Principal() principal: SdkPrincipal, @UserAssertionHeader() assertion: string | undefined) {
    return this.service.activity(principal, assertion);
  }
}
