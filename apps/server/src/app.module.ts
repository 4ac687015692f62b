import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DATA_DIR, KAFKA, METRICS, NODE_CONFIG, NODE_LOGGER } from './node/runtime.token';
import type { NodeRuntime } from './node/node-runtime';
import { ProblemFilter } from './http/problem.filter';
import { NodeProbesController } from './health/node-probes.controller';
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
import { DevicesController } from './admin/devices/devices.controller';
import { SdkModule, sdkOptionsFromConfig } from '@twofold/sdk';
import { CommandService } from '@twofold/commands';
import { ReadModelQueries } from '@twofold/read-model';
import { TypeOrmEventStore } from '@twofold/event-store';
import { ClusterRole } from './cluster/cluster-role';
import { NodeProgress } from './node/node-progress';
import { ReplicationCoordinator } from './replication/replication-coordinator';
import { StateSealer } from '@twofold/mfa';
import { DirectorySync } from '@twofold/directory';
import type { AuthenticationService } from './node/authentication';
import { InvitationSender } from './admin/invitations/invitation-sender';
import { createEmailProvider } from './delivery/email-provider.factory';

@Module({})
export class AppModule {
  static register(runtime: NodeRuntime, authentication: AuthenticationService): DynamicModule {
    return {
      module: AppModule,
      imports: [SdkModule.register({
        engine: authentication.engine, queries: runtime.queries, commands: runtime.commands, store: runtime.store, projector: runtime.projector,
        nodeId: runtime.dataDir.identity.nodeId, stateSealer: runtime.keys.stateSealer,
        logger: runtime.logger.child({ component: 'sdk' }), options: sdkOptionsFromConfig(runtime.config),
        passwordVerifier: authentication.passwordVerifier, delivery: authentication.delivery, pushRequests: authentication.pushRequests,
        ...(authentication.sdkFirstFactor ? { firstFactor: authentication.sdkFirstFactor } : {}),
        heldDecisions: authentication.heldDecisions,
      })],
      controllers: [
        NodeProbesController, UsersController, SettingsController, RadiusClientsController,
        SdkCredentialsController, AdministratorsController, StatusController, OpenApiController, ApprovalsController, InvitationsController, ClusterController,
        RolloutController, TokenImportController, DirectoriesController, DevicesController,
      ],
      providers: [
        // What most controllers use: the command side, the read model, the cluster's state sealer.
        { provide: CommandService, useValue: runtime.commands },
        { provide: ReadModelQueries, useValue: runtime.queries },
        { provide: StateSealer, useValue: runtime.keys.stateSealer },
        {
          provide: InvitationSender,
          useFactory: () => new InvitationSender({
            sms: authentication.delivery, email: createEmailProvider(runtime.config, runtime.dataDir.path), logger: runtime.logger.child({ component: 'invitations' }),
            ...(runtime.config.invitations.portalUrl ? { portalUrl: runtime.config.invitations.portalUrl } : {}),
          }),
        },
        // The node's pieces, each on its own: every controller takes only what it uses (no token holds the whole runtime).
        { provide: NodeProgress, useValue: new NodeProgress(runtime.store, runtime.projector, runtime.replication, runtime.role) },
        { provide: TypeOrmEventStore, useValue: runtime.store },
        { provide: ClusterRole, useValue: runtime.role },
        { provide: ReplicationCoordinator, useValue: runtime.replication },
        { provide: NODE_CONFIG, useValue: runtime.config },
        { provide: DATA_DIR, useValue: runtime.dataDir },
        { provide: METRICS, useValue: runtime.metrics },
        { provide: NODE_LOGGER, useValue: runtime.logger },
        { provide: KAFKA, useValue: { kafka: runtime.kafka, kafkaFollower: runtime.kafkaFollower } },
        { provide: DirectorySync, useFactory: () => runtime.directorySync?.sync ?? null },
        { provide: APP_FILTER, useFactory: () => new ProblemFilter(runtime.logger) },
      ],
    };
  }
}
