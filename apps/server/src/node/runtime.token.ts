import type { NodeServices } from './node-services';

// The node's pieces that are not classes, for a controller that needs one of them and nothing else
// (classes are their own tokens: CommandService, ReadModelQueries, TypeOrmEventStore, ClusterRole,
// ReplicationCoordinator, NodeProgress, DirectorySync). No token holds the whole runtime.
export const NODE_CONFIG = Symbol('TwofoldConfig');
export const DATA_DIR = Symbol('DataDirectory');
export const METRICS = Symbol('Metrics');
export const NODE_LOGGER = Symbol('Logger');
export const KAFKA = Symbol('KafkaLinks');

// The Kafka publisher (when brokers are set) and follower (when a slave reads the log from Kafka).
export type KafkaLinks = Pick<NodeServices, 'kafka' | 'kafkaFollower'>;
