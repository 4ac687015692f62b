import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = __dirname;

// A real single-node KRaft broker (test/support/kafka/start-broker.sh) owned by one spec file:
// specs kill and restart their broker, so none is shared between files.
export class TestBroker {
  // With { secure: true }: a SASL_SSL listener (PLAIN, SCRAM-SHA-256; user "twofold") and an SSL
  // listener that requires client certificates, under a CA the script made in tlsDir.
  saslSsl = '';
  mtls = '';
  tlsDir = '';

  private constructor(readonly stateDir: string, public brokers: string, public pid: number, private readonly secure = false) {}

  static async start(opts: { secure?: boolean } = {}): Promise<TestBroker> {
    const stateDir = mkdtempSync(join(tmpdir(), 'twofold-kafka-'));
    const broker = new TestBroker(stateDir, '', 0, opts.secure);
    await broker.restart();
    return broker;
  }

  get saslPassword(): string {
    return readFileSync(join(this.tlsDir, 'sasl-password'), 'utf8').trim();
  }

  // Starts it again on the same port and storage after stop()/kill().
  async restart(): Promise<void> {
    await run(join(HERE, 'start-broker.sh'), [this.stateDir], { timeout: 180_000, env: { ...process.env, TWOFOLD_KAFKA_SECURE: this.secure ? '1' : '' } });
    const env = Object.fromEntries(readFileSync(join(this.stateDir, 'broker.env'), 'utf8').trim().split('\n').map((l) => l.split('=', 2)));
    this.brokers = env.TWOFOLD_TEST_KAFKA_BROKERS;
    this.pid = Number(env.KAFKA_PID);
    this.saslSsl = env.TWOFOLD_TEST_KAFKA_SASL_SSL ?? '';
    this.mtls = env.TWOFOLD_TEST_KAFKA_MTLS ?? '';
    this.tlsDir = env.KAFKA_TLS_DIR ?? '';
  }

  // kill: SIGKILL, as a crashed broker; otherwise a clean shutdown.
  async stop(opts: { kill?: boolean } = {}): Promise<void> {
    await run(join(HERE, 'stop-broker.sh'), [this.stateDir, ...(opts.kill ? ['--kill'] : [])], { timeout: 60_000 });
  }

  async destroy(): Promise<void> {
    await this.stop({ kill: true });
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

export const javaAvailable: boolean = spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;

// The secure broker's CA and keystores are made with openssl and the JDK's keytool.
export const tlsToolsAvailable: boolean = spawnSync('sh', ['-c', 'command -v keytool && command -v openssl'], { stdio: 'ignore' }).status === 0;

// describe() when Java is there (and, with needsTlsTools, keytool and openssl); otherwise skipped,
// and said so loudly.
export function describeWithKafka(name: string, fn: () => void, opts: { needsTlsTools?: boolean } = {}): void {
  if (javaAvailable && (!opts.needsTlsTools || tlsToolsAvailable)) {
    describe(name, fn);
    return;
  }
  const why = javaAvailable ? 'no keytool/openssl found to make the broker\'s certificates' : 'no Java found, so no Kafka broker can run here (install Java 17 and Maven)';
  process.stderr.write(`\n*** SKIPPED "${name}": ${why} ***\n\n`);
  describe.skip(name, fn);
}
