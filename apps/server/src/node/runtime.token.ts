export const RUNTIME = Symbol('NodeRuntime');

// The node's pieces that are not classes, for a controller that needs one of them and nothing else
// (classes are their own tokens: TypeOrmEventStore, ReadModelProjector, ClusterRole, ReplicationCoordinator).
export const NODE_CONFIG = Symbol('TwofoldConfig');
export const DATA_DIR = Symbol('DataDirectory');
export const METRICS = Symbol('Metrics');
export const NODE_LOGGER = Symbol('Logger');
export const KAFKA = Symbol('KafkaLinks');
