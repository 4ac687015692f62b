import { DynamicModule, Module } from '@nestjs/common';
import { UserAssertions } from './assertions/user-assertions';
import { StoreApprovalDecisionLog } from './approvals/approval-decision-log';
import { SdkAuthGuard } from './auth/sdk-auth.guard';
import { AuthenticationsController } from './authentications/authentications.controller';
import { AuthenticationsService } from './authentications/authentications.service';
import { SdkOpenApiController } from './openapi/openapi.controller';
import { SdkRateLimits } from './rate-limit/sdk-rate-limits';
import { DEFAULT_SDK_OPTIONS, SDK_DEPS, SDK_OPTIONS, SdkDeps, SdkOptions } from './sdk.deps';
import { SelfServiceController } from './self-service/self-service.controller';
import { SelfServiceService } from './self-service/self-service.service';
import { PhoneChangeController, TokenEnrolmentController } from './self-service/token-enrolment.controller';
import { TokenEnrolmentService } from './self-service/token-enrolment.service';
import { PhoneChangeService } from './self-service/phone-change.service';
import { InvitationsController } from './invitations/invitations.controller';
import { InvitationsService } from './invitations/invitations.service';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';
import { DevicesController, OwnDevicesController } from './devices/devices.controller';
import { DeviceActivationService } from './devices/device-activation.service';
import { DeviceApprovalsService } from './devices/device-approvals.service';

export const SDK_CONTROLLERS = [AuthenticationsController, UsersController, SelfServiceController, TokenEnrolmentController, PhoneChangeController, InvitationsController, OwnDevicesController, DevicesController, SdkOpenApiController];

// /sdk/v1 on every node, over the engine and storage the node built before its HTTP app.
@Module({})
export class SdkModule {
  static register(deps: SdkDeps): DynamicModule {
    const options: SdkOptions = {
      ...DEFAULT_SDK_OPTIONS,
      ...(deps.options ?? {}),
    };
    return {
      module: SdkModule,
      controllers: SDK_CONTROLLERS,
      providers: [
        { provide: SDK_DEPS, useValue: deps },
        { provide: SDK_OPTIONS, useValue: options },
        SdkRateLimits, SdkAuthGuard, UserAssertions, StoreApprovalDecisionLog, AuthenticationsService, UsersService, SelfServiceService, TokenEnrolmentService, PhoneChangeService, InvitationsService, DeviceActivationService, DeviceApprovalsService,
      ],
    };
  }
}
