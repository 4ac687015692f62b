import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { DataDirectory, TwofoldConfig } from '@twofold/platform';
import type { TypeOrmEventStore } from '@twofold/event-store';
import type { ReadModelProjector, ReadModelQueries } from '@twofold/read-model';
import type { Settings, UserState } from '@twofold/domain';
import type { CommandService, SecurityOutcomeSink } from '@twofold/commands';
import type { KafkaLogFollower, KafkaLogPublisher } from '@twofold/kafka';
import type { Metrics } from '../metrics/metrics';
import type { ClusterRole } from '../cluster/cluster-role';
import type { ClusterKeys } from './cluster-keys';

// What the authentication engine reads: the read model, plus (on a slave) the security events
// this node raised that the master has not replicated back yet.
export interface UserDirectoryView {
  findUserByUsername(username: string): Promise<{ userId: string } | null>;
  getUserState(userId: string): Promise<UserState | null>;
  getSettings(): Promise<Settings>;
  findSignIn(username: string): Promise<{ userId: string; state: UserState | null; settings: Settings } | null>;
}

// Everything one node holds but its replication coordinator (NodeRuntime adds it): what the
// coordinator and its helpers may ask for without an import circle through node-runtime.ts.
export interface NodeServices {
  config: TwofoldConfig;
  dataDir: DataDirectory;
  keys: ClusterKeys;
  logger: Logger;
  dataSource: DataSource;
  store: TypeOrmEventStore;
  projector: ReadModelProjector;
  queries: ReadModelQueries;
  commands: CommandService;
  metrics: Metrics;
  role: ClusterRole;
  kafkaFollower?: KafkaLogFollower; // set when TWOFOLD_REPLICATION_SOURCE=kafka (runs while this node is a slave)
  kafka?: KafkaLogPublisher; // set when TWOFOLD_KAFKA_BROKERS is
  // Security outcomes of authentications: appended on the master, sent upstream from a slave.
  security: SecurityOutcomeSink;
  directory: UserDirectoryView;
  // Set only on the start that created the first administrator: shown once, never stored.
  firstAdminToken?: string;
  close(): Promise<void>;
}
