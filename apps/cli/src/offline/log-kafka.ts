import { once } from 'node:events';
import { ChainBrokenError, connectKafka, KafkaRecordError, tailLog, TopicMissingError, type KafkaConnectionSettings } from '@twofold/kafka';
import { ConfigError, loadConfig } from '@twofold/platform';
import { CliError } from '../core/cli-error';
import { CliContext } from '../core/context';
import { ExitCode } from '../core/exit-codes';

export interface KafkaTailOptions { kafka: string; from: number; follow?: boolean; group?: string; topic?: string }

async function writeOut(chunk: string): Promise<void> {
  if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
}

// TLS and SASL come from the same TWOFOLD_KAFKA_* variables the server reads; brokers from --kafka.
function connectionSettings(brokers: string): KafkaConnectionSettings & { topicPrefix: string } {
  try {
    const { kafka } = loadConfig(process.env);
    return { ...kafka, brokers };
  } catch (err) {
    if (err instanceof ConfigError) throw CliError.usage(err.message);
    throw err;
  }
}

async function chooseTopic(kafka: ReturnType<typeof connectKafka>, prefix: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.[^.]+\\.log$`);
    const topics = (await admin.listTopics()).filter((t) => pattern.test(t));
    if (topics.length === 1) return topics[0];
    if (topics.length === 0) throw new CliError('not_found', `no ${prefix}.<clusterId>.log topic on these brokers (is a master publishing to them?)`, ExitCode.NotFound);
    throw CliError.usage(`several clusters publish to these brokers: choose one with --topic (${topics.join(', ')})`, 'topic');
  } finally {
    await admin.disconnect();
  }
}

// `twofold log tail --kafka`: the log from the cluster's topic as NDJSON (the `log export` line),
// duplicates dropped by position, the hash chain checked.
export async function tailFromKafka(_ctx: CliContext, o: KafkaTailOptions): Promise<void> {
  const settings = connectionSettings(o.kafka);
  let kafka;
  try {
    kafka = connectKafka(settings);
  } catch (err) {
    throw CliError.usage((err as Error).message, 'kafka');
  }
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const topic = o.topic ?? (await chooseTopic(kafka, settings.topicPrefix));
    const result = await tailLog({ kafka, topic, from: o.from, follow: o.follow, group: o.group, signal: abort.signal, onRecord: (e) => writeOut(`${JSON.stringify(e)}\n`),
      // Printed lines cannot be taken back: say on stderr which ones a promotion superseded.
      onFork: (f) => void process.stderr.write(`twofold: set aside positions ${f.fromPosition}-${f.toPosition} (epoch ${f.epoch}): the divergent tail of a replaced master; epoch ${f.newEpoch} continues from ${f.fromPosition}\n`) });
    const dup = (result.duplicates ? `, ${result.duplicates} duplicates dropped` : '') + (result.stale ? `, ${result.stale} records of a replaced master dropped` : '');
    process.stderr.write(result.printed ? `read ${result.printed} records from ${topic} (positions ${o.from}-${result.lastPosition}${dup}); the hash chain is intact\n` : `nothing in ${topic} from position ${o.from}\n`);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof ChainBrokenError) throw new CliError('log_broken', err.message, ExitCode.LogBroken);
    if (err instanceof KafkaRecordError) throw new CliError('log_broken', `a message on the topic is not a log record: ${err.message}`, ExitCode.LogBroken);
    if (err instanceof TopicMissingError) throw new CliError('not_found', err.message, ExitCode.NotFound);
    throw new CliError('unavailable', `cannot read from Kafka at ${o.kafka}: ${(err as Error).message}`, ExitCode.Unavailable);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
