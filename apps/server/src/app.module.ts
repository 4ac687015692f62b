import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { RUNTIME } from './node/runtime.token';
import type { NodeRuntime } from './node/node-runtime';
import { ProblemFilter } from './http/problem.filter';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { UsersController } from './admin/users/users.controller';
import { SettingsController } from './admin/settings/settings.controller';
import { RadiusClientsController } from './admin/radius-clients/radius-clients.controller';
import { SdkCredentialsController } from './admin/sdk-credentials/sdk-credentials.controller';
import { AdministratorsController } from './admin/administrators/administrators.controller';
import { StatusController } from './admin/status/status.controller';
import { OpenApiController } from './admin/openapi/openapi.controller';
import { ApprovalsController } from './admin/approvals/approvals.controller';
import { InvitationsController } from './admin/invitations/invitations.controller';
import { ClusterController } from './cluster/cluster.controller';
import { RolloutController } from './admin/rollout/rollout.controller';
import { TokenImportController } from './admin/tokens/token-import.controller';
import { DirectoriesController } from './admin/directories/directories.controller';
import { SdkModule, sdkOptionsFromConfig } from '@twofold/sdk';
import { SecretKeyring } from '@twofold/domain';
import { Argon2idHasher, KeyedHashVerifier } from '@twofold/mfa';
import { createDeliveryProvider } from './radius/delivery-provider.factory';

@Module({})
export class AppModule {
  static register(runtime: NodeRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [SdkModule.register({
        queries: runtime.queries, commands: runtime.commands, store: runtime.store, projector: runtime.projector,
        nodeId: runtime.dataDir.identity.nodeId, clusterKey: { keyId: runtime.dataDir.masterKeyId, key: runtime.dataDir.masterKey },
        logger: runtime.logger.child({ component: 'sdk' }), options: sdkOptionsFromConfig(runtime.config),
        passwordVerifier: new KeyedHashVerifier(new Argon2idHasher(), new SecretKeyring(runtime.dataDir.masterKeyId, { [runtime.dataDir.masterKeyId]: runtime.dataDir.masterKey })),
        delivery: createDeliveryProvider(runtime.config, runtime.dataDir.path),
      })],
      controllers: [
        HealthController, MetricsController, UsersController, SettingsController, RadiusClientsController,
        SdkCredentialsController, AdministratorsController, StatusController, OpenApiController, ApprovalsController, InvitationsController, ClusterController,
        RolloutController, TokenImportController, DirectoriesController,
      ],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: APP_FILTER, useFactory: () => new ProblemFilter(runtime.logger) },
      ],
    };
  }
}
