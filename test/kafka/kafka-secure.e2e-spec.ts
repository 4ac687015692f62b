import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { twofold } from '../support/cli';
import { REPO_ROOT, SERVER_MAIN, ServerProcess } from '../support/server-process';
import { describeWithKafka, TestBroker } from '../support/kafka/broker';

// Issue 12: the broker connection over TLS with SASL (PLAIN, SCRAM) and with client certificates,
// against a real broker whose listeners require them. The password comes from a file and shows
// in no log line; bad settings stop the server at start with exit 78 naming the key.

async function publishedToHead(server: ServerProcess, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = (await server.api('GET', '/admin/v1/status')).body;
    if (s.kafka?.connected && s.kafka.publishedPosition === s.logHead.position) return s;
    if (Date.now() > deadline) throw new Error(`not published within ${timeoutMs} ms: ${JSON.stringify(s.kafka)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startFails(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'twofold-kafka-bad-')), 'data');
    const child = spawn(process.execPath, [SERVER_MAIN], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', TWOFOLD_DATA_DIR: dataDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describeWithKafka('the log on a broker that requires TLS and SASL', () => {
  let broker: TestBroker;
  let server: ServerProcess | undefined;
  let passwordFile: string;
  let tls: Record<string, string>;

  beforeAll(async () => {
    broker = await TestBroker.start({ secure: true });
    passwordFile = join(mkdtempSync(join(tmpdir(), 'twofold-kafka-secret-')), 'kafka-password');
    writeFileSync(passwordFile, `${broker.saslPassword}\n`, { mode: 0o600 });
    tls = { TWOFOLD_KAFKA_CA_FILE: join(broker.tlsDir, 'ca.pem') };
  });
  afterAll(async () => {
    await server?.stop();
    await broker?.destroy();
  });

  it('publishes over SASL_SSL with SCRAM, the password read from a file and never logged; log tail --kafka reads it back with PLAIN and with a client certificate', async () => {
    const sasl = { ...tls, TWOFOLD_KAFKA_SASL_MECHANISM: 'scram-sha-256', TWOFOLD_KAFKA_SASL_USERNAME: 'twofold', TWOFOLD_KAFKA_SASL_PASSWORD_FILE: passwordFile };
    server = await ServerProcess.start({ env: { TWOFOLD_KAFKA_BROKERS: broker.saslSsl, ...sasl } });
    for (let i = 0; i < 4; i++) expect((await server.api('POST', '/admin/v1/users', { username: `tls${i}` })).status).toBe(201);
    const s = await publishedToHead(server);
    const exported = await twofold(['--data-dir', server.dataDir, 'log', 'export']);
    expect(exported.code).toBe(0);

    const plain = await twofold(['log', 'tail', '--kafka', broker.saslSsl, '--topic', s.kafka.topic], {
      env: { ...tls, TWOFOLD_KAFKA_SASL_MECHANISM: 'plain', TWOFOLD_KAFKA_SASL_USERNAME: 'twofold', TWOFOLD_KAFKA_SASL_PASSWORD: broker.saslPassword }, timeoutMs: 90_000,
    });
    expect(plain.stderr).toMatch(/the hash chain is intact/);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe(exported.stdout);

    const mtls = await twofold(['log', 'tail', '--kafka', broker.mtls, '--topic', s.kafka.topic], {
      env: { ...tls, TWOFOLD_KAFKA_CERT_FILE: join(broker.tlsDir, 'client.pem'), TWOFOLD_KAFKA_KEY_FILE: join(broker.tlsDir, 'client.key.pem') }, timeoutMs: 90_000,
    });
    expect(mtls.code).toBe(0);
    expect(mtls.stdout).toBe(exported.stdout);

    // The same listener without a client certificate: refused, said clearly (exit 7, unavailable).
    const noCert = await twofold(['log', 'tail', '--kafka', broker.mtls, '--topic', s.kafka.topic], { env: tls, timeoutMs: 90_000 });
    expect(noCert.code).toBe(7);
    expect(noCert.stderr).toMatch(/cannot read from Kafka/);
    expect(noCert.stdout).toBe('');

    const logs = server.stdout.join('') + server.stderr.join('');
    expect(logs).toContain('kafka: publisher started');
    expect(logs).not.toContain(broker.saslPassword);
  });

  it('keeps a master with a wrong SASL password running, says why it does not publish, and never logs the password', async () => {
    await server?.stop();
    const wrong = 'not-the-password-1234';
    server = await ServerProcess.start({ env: { TWOFOLD_KAFKA_BROKERS: broker.saslSsl, ...tls, TWOFOLD_KAFKA_SASL_MECHANISM: 'plain', TWOFOLD_KAFKA_SASL_USERNAME: 'twofold', TWOFOLD_KAFKA_SASL_PASSWORD: wrong } });
    expect((await server.api('POST', '/admin/v1/users', { username: 'still-writes' })).status).toBe(201);
    const deadline = Date.now() + 60_000;
    let kafka: any;
    do {
      kafka = (await server.api('GET', '/admin/v1/status')).body.kafka;
      if (kafka.lastError) break;
      await new Promise((r) => setTimeout(r, 200));
    } while (Date.now() < deadline);
    expect(kafka).toMatchObject({ connected: false, publishedPosition: 0 });
    expect(kafka.lastError).toMatch(/authentication failed/i);
    expect(kafka.lagEvents).toBeGreaterThan(0);
    await server.waitForLog('kafka: publishing paused, will resume from the checkpoint', 30_000); // the line reaches our pipe a moment later
    const logs = server.stdout.join('') + server.stderr.join('');
    expect(logs).not.toContain(wrong);
  });

  it('refuses to start (exit 78, naming the key) with a password file it cannot read or a certificate without its key', async () => {
    const base = { TWOFOLD_KAFKA_BROKERS: broker.saslSsl, ...tls };
    const missing = await startFails({ ...base, TWOFOLD_KAFKA_SASL_MECHANISM: 'plain', TWOFOLD_KAFKA_SASL_USERNAME: 'twofold', TWOFOLD_KAFKA_SASL_PASSWORD_FILE: '/nonexistent/kafka-password' });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toContain('TWOFOLD_KAFKA_SASL_PASSWORD_FILE');
    const halfCert = await startFails({ ...base, TWOFOLD_KAFKA_CERT_FILE: join(broker.tlsDir, 'client.pem') });
    expect(halfCert.code).toBe(78);
    expect(halfCert.stderr).toContain('TWOFOLD_KAFKA_KEY_FILE');
    const noBrokers = await startFails({ TWOFOLD_REPLICATION_SOURCE: 'kafka' });
    expect(noBrokers.code).toBe(78);
    expect(noBrokers.stderr).toContain('TWOFOLD_REPLICATION_SOURCE');
  });
}, { needsTlsTools: true });
