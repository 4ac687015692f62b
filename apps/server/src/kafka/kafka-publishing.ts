import { Gauge } from 'prom-client';
import { connectKafka, KafkaLogPublisher, logTopicName, PublishCheckpoint } from '@twofold/kafka';
import type { NodeServices } from '../node/node-services';

// Starts publishing the log to Kafka when TWOFOLD_KAFKA_BROKERS is set (undefined otherwise).
// Runs on every node but publishes only while this node is the writable master.
export async function startKafkaPublishing(runtime: Pick<NodeServices, 'config' | 'dataDir' | 'dataSource' | 'store' | 'role' | 'logger' | 'metrics' | 'kafkaFollower'>): Promise<KafkaLogPublisher | undefined> {
  const { config, dataDir, dataSource, store, role, logger, metrics } = runtime;
  if (!config.kafka.brokers) return undefined;
  const log = logger.child({ component: 'kafka' });
  const kafka = connectKafka({ ...config.kafka, brokers: config.kafka.brokers }, log);
  const topic = logTopicName(dataDir.identity.clusterId, config.kafka.topicPrefix);
  const checkpoint = await PublishCheckpoint.open(dataSource, topic);
  const publisher = new KafkaLogPublisher({
    kafka, store, checkpoint, logger: log, clusterId: dataDir.identity.clusterId, isMaster: () => role.writable, topicReplicationFactor: config.kafka.topicReplicationFactor,
  });
  const registers = [metrics.registry];
  new Gauge({ name: 'twofold_kafka_publish_lag_events', help: 'On the master: committed records not yet acknowledged by Kafka', registers, collect() { this.set(publisher.status().lagEvents); } });
  new Gauge({ name: 'twofold_kafka_published_position', help: 'Last log position Kafka acknowledged (the durable checkpoint)', registers, collect() { this.set(publisher.status().publishedPosition); } });
  new Gauge({ name: 'twofold_kafka_connected', help: '1 while the publisher reaches the brokers', registers, collect() { this.set(publisher.status().connected ? 1 : 0); } });
  const follower = runtime.kafkaFollower;
  if (follower) {
    const following = () => (role.role === 'slave' ? follower.status() : null);
    new Gauge({ name: 'twofold_kafka_following_connected', help: 'On a slave reading the log from Kafka: 1 while it reads the topic', registers, collect() { this.set(following()?.connected ? 1 : 0); } });
    new Gauge({ name: 'twofold_kafka_following_dropped_stale', help: 'On a slave reading the log from Kafka: records of a replaced master dropped', registers, collect() { this.set(following()?.droppedStale ?? 0); } });
  }
  await publisher.start();
  log.info({ topic, brokers: config.kafka.brokers, tls: Boolean(config.kafka.tls || config.kafka.caFile), sasl: config.kafka.saslMechanism ?? null }, 'kafka: publisher started');
  return publisher;
}
