import { connectKafka, KafkaLogFollower, logTopicName } from '@twofold/kafka';
import { ReplicationSlave, type ReplicationSlaveOptions } from '@twofold/replication';
import type { NodeServices } from '../node/node-services';

// TWOFOLD_REPLICATION_SOURCE=kafka: the slave reads the log from the cluster's topic (one follower
// for the node's lifetime, checked like the fixed port: cluster, chain, epochs) and keeps a fixed-port
// connection to the master only for what goes upstream (security events, epochs, its head).
export function createKafkaFollower(runtime: Pick<NodeServices, 'config' | 'dataDir' | 'store' | 'logger'>): KafkaLogFollower | undefined {
  const { config, dataDir, store, logger } = runtime;
  if (config.replication.source !== 'kafka' || !config.kafka.brokers) return undefined;
  const log = logger.child({ component: 'kafka' });
  return new KafkaLogFollower({
    kafka: connectKafka({ ...config.kafka, brokers: config.kafka.brokers }, log),
    topic: logTopicName(dataDir.identity.clusterId, config.kafka.topicPrefix),
    clusterId: dataDir.identity.clusterId, nodeId: dataDir.identity.nodeId, store, logger: log,
  });
}

// The coordinator's slave, when the log comes from Kafka: the same events and the same
// set-aside path (a newer epoch's record at a position this node holds is `diverged_history`,
// and the common ancestor is found over the fixed port with the current master).
export class KafkaFollowingSlave extends ReplicationSlave {
  constructor(options: ReplicationSlaveOptions, private readonly follower: KafkaLogFollower) {
    super({ ...options, upstreamOnly: true });
  }

  override start(): void {
    this.follower.bind({
      onAppended: (head) => this.noteLocalHead(head),
      onRefused: (reason, message) => {
        // Set aside only with a master to find the fork with; until then the follower retries.
        if (reason === 'diverged_history' && this.status().connected) this.emit('refused', { reason, message });
      },
    });
    super.start();
    this.follower.start();
  }

  override async stop(): Promise<void> {
    await this.follower.stop();
    await super.stop();
  }
}

export function createSlave(runtime: Pick<NodeServices, 'kafkaFollower'>, options: ReplicationSlaveOptions): ReplicationSlave {
  return runtime.kafkaFollower ? new KafkaFollowingSlave(options, runtime.kafkaFollower) : new ReplicationSlave(options);
}
