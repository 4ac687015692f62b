import { sdkOperationsController } from '../auth/sdk-route';
import { AuthenticationsService } from './authentications.service';

export const AuthenticationsController = sdkOperationsController('AuthenticationsController', AuthenticationsService, {
  startAuthentication: 'start', answerChallenge: 'answer', pollAuthentication: 'poll', cancelAuthentication: 'cancel', validatePin: 'validatePin',
});
