import { sdkOperationsController } from '../auth/sdk-route';
import { InvitationsService } from './invitations.service';

export const InvitationsController = sdkOperationsController('InvitationsController', InvitationsService, { redeemInvitation: 'redeem' });
