import { sdkOperationsController } from '../auth/sdk-route';
import { SelfServiceService } from './self-service.service';

export const SelfServiceController = sdkOperationsController('SelfServiceController', SelfServiceService, {
  getSelf: 'me', changePin: 'changePin', changePhone: 'changePhone', enrollToken: 'enrollToken', removeToken: 'removeToken', reportFraud: 'reportFraud',
});
