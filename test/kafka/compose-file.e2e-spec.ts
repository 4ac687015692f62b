import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@twofold/platform';
import { REPO_ROOT } from '../support/server-process';

// No Docker engine runs here, so docker/compose.yml is never started by the tests. What can be
// checked without one: it parses as YAML, has the master, two slaves and Kafka, every node's
// environment is a configuration the server accepts (the same check that exits 78 at start), the
// slaves read from Kafka, and the broker image is the release the Kafka tests run against.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

interface Service { image?: string; build?: unknown; environment?: Record<string, string>; depends_on?: string[] }

describe('docker/compose.yml', () => {
  const compose = yaml.load(readFileSync(join(REPO_ROOT, 'docker/compose.yml'), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };

  it('runs a master, two slaves following the log from Kafka, and a Kafka broker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'master', 'slave1', 'slave2']);
    const pom = readFileSync(join(REPO_ROOT, 'test/support/kafka/pom.xml'), 'utf8');
    const tested = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)![1];
    expect(compose.services.kafka.image).toBe(`apache/kafka:${tested}`);
    const advertised = compose.services.kafka.environment!.KAFKA_ADVERTISED_LISTENERS;
    for (const name of ['master', 'slave1', 'slave2']) {
      const env = compose.services[name].environment!;
      expect(advertised).toContain(`//${env.TWOFOLD_KAFKA_BROKERS}`);
      expect(compose.services[name].depends_on).toContain('kafka');
      const config = loadConfig(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])));
      expect(config.nodeName).toBe(name);
      expect(config.replication.source).toBe(name === 'master' ? 'fixed-port' : 'kafka');
    }
    for (const [name, service] of Object.entries(compose.services)) {
      const volumes = (service as { volumes?: string[] }).volumes ?? [];
      for (const v of volumes) expect(Object.keys(compose.volumes)).toContain(v.split(':')[0]);
      expect(name).toMatch(/^[a-z0-9]+$/);
    }
  });
});
