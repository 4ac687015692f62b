import { sdkOperationsController } from '../auth/sdk-route';
import { TokenEnrolmentService } from './token-enrolment.service';
import { PhoneChangeService } from './phone-change.service';

export const TokenEnrolmentController = sdkOperationsController('TokenEnrolmentController', TokenEnrolmentService, {
  beginTokenEnrolment: 'begin', confirmTokenEnrolment: 'confirm', getActivity: 'activity',
});

export const PhoneChangeController = sdkOperationsController('PhoneChangeController', PhoneChangeService, {
  beginPhoneChange: 'begin', confirmPhoneChange: 'confirm',
});
