import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';

// How to reach the brokers: the `kafka` block of the node's config, or the CLI's flags.
export interface KafkaConnectionSettings {
  brokers: string;            // host:port[,host:port...]
  clientId?: string;
  tls?: boolean;
  caFile?: string;            // PEM; implies TLS
  certFile?: string;          // client certificate (PEM) for mutual TLS; implies TLS
  keyFile?: string;           // its private key (PEM)
  saslMechanism?: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  saslUsername?: string;
  saslPassword?: string;      // secret: never logged
}

export interface KafkaLogSink {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export function parseBrokers(list: string): string[] {
  const brokers = list.split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0 || brokers.some((b) => !/^[^\s:]+:\d{1,5}$/.test(b))) throw new Error(`brokers must be host:port[,host:port...], got "${list}"`);
  return brokers;
}

// kafkajs writes through our logger at debug (its errors are retried and summarised by the caller).
function logCreator(sink?: KafkaLogSink) {
  return () => (entry: LogEntry) => {
    if (!sink) return;
    const { message, ...rest } = entry.log;
    // Only the fields that help and cannot carry credentials.
    const fields = { broker: rest.broker, error: rest.error, component: entry.namespace };
    if (entry.level <= logLevel.ERROR) sink.debug(fields, `kafka client: ${message}`);
  };
}

export function kafkaClientConfig(s: KafkaConnectionSettings, sink?: KafkaLogSink): KafkaConfig {
  const config: KafkaConfig = {
    clientId: s.clientId ?? 'twofold',
    brokers: parseBrokers(s.brokers),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    // Callers loop and back off themselves; the client gives up after a few seconds.
    retry: { retries: 4, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: logLevel.ERROR,
    logCreator: logCreator(sink),
  };
  if (s.tls || s.caFile || s.certFile) {
    // A CA file is the only CA trusted; without one, the system's. Host names are always checked.
    config.ssl = {
      rejectUnauthorized: true,
      ...(s.caFile ? { ca: [readFileSync(s.caFile, 'utf8')] } : {}),
      ...(s.certFile && s.keyFile ? { cert: readFileSync(s.certFile, 'utf8'), key: readFileSync(s.keyFile, 'utf8') } : {}),
    };
  }
  if (s.saslMechanism) {
    if (!s.saslUsername || !s.saslPassword) throw new Error('SASL needs a username and a password');
    config.sasl = { mechanism: s.saslMechanism, username: s.saslUsername, password: s.saslPassword } as SASLOptions;
  }
  return config;
}

export function connectKafka(s: KafkaConnectionSettings, sink?: KafkaLogSink): Kafka {
  return new Kafka(kafkaClientConfig(s, sink));
}

// One topic per cluster, one partition: the log's total order is the partition's order.
export function logTopicName(clusterId: string, prefix = 'twofold'): string {
  return `${prefix}.${clusterId}.log`;
}
