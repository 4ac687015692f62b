import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, PeerCertificate } from 'node:tls';
import { createClusterCa, issueCertificate } from '@twofold/platform';
import { TwofoldSdkClient } from '@twofold/sdk-client';
import { REPO_ROOT, ServerProcess } from '../support/server-process';
import { twofold } from '../support/cli';
import { httpsJson } from '../support/https-json';
import { clientCertificate, createUser, issueCredential } from '../sdk/sdk-support';

// Name resolution for a DNS name that is not the node name, inside the CLI process only.
const PRELOAD = `--require ${join(REPO_ROOT, 'test/support/test-hosts-preload.js')}`;
const resolving = (name: string, address: string) => ({ NODE_OPTIONS: PRELOAD, TEST_RESOLVE_HOSTS: `${name}=${address}` });
const newDataDir = () => join(mkdtempSync(join(tmpdir(), 'twofold-e2e-')), 'data');

async function joinToken(master: ServerProcess, name: string): Promise<string> {
  const issued = await master.api('POST', '/admin/v1/cluster/join-tokens', { name });
  if (issued.status !== 201) throw new Error(`join token: ${issued.status} ${issued.text}`);
  return issued.body.token;
}

// The certificate a port presents, verified against `ca` (null when verification fails).
function servedCertificate(port: number, ca: string, host = '127.0.0.1', clientCert?: { cert: string; key: string }): Promise<PeerCertificate | null> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, ca, ...clientCert }, () => {
      resolve(socket.authorized ? socket.getPeerCertificate() : null);
      socket.destroy();
    });
    socket.on('error', () => resolve(null));
  });
}

describe('a master reached by IP address and by a DNS name that is not its node name', () => {
  let master: ServerProcess;
  let slave: ServerProcess | undefined;

  beforeAll(async () => {
    // 127.0.0.2 stands for an address like 10.77.0.1: bound and advertised, not the node name.
    master = await ServerProcess.start({ host: '127.0.0.2', env: { TWOFOLD_NODE_NAME: 'node-m', TWOFOLD_TLS_HOSTS: 'mfa.twofold.test' } });
  });
  afterAll(async () => {
    await slave?.stop();
    await master?.stop();
  });

  it('the CLI works against https://<ip>:8443 and https://<dns name>:8443, trusting the cluster CA', async () => {
    const env = { TWOFOLD_ADMIN_TOKEN: master.adminToken, TWOFOLD_DATA_DIR: master.dataDir };
    const byIp = await twofold(['--url', master.url, '--json', 'status'], { env });
    expect({ code: byIp.code, stderr: byIp.stderr }).toEqual({ code: 0, stderr: '' });
    const byName = await twofold(['--url', `https://mfa.twofold.test:${master.httpPort}`, '--json', 'status'], { env: { ...env, ...resolving('mfa.twofold.test', '127.0.0.2') } });
    expect({ code: byName.code, stderr: byName.stderr }).toEqual({ code: 0, stderr: '' });
    expect(byName.json().role).toBe('master');
  });

  it('`twofold join --master <ip>:8443` and `--master <dns name>:8443` both join; the joined slave forwards writes to the master by its IP', async () => {
    const byIp = newDataDir();
    // The token on standard input (`--token -`): never on the command line.
    const first = await twofold(['join', '--master', `127.0.0.2:${master.httpPort}`, '--token', '-', '--advertise-host', '127.0.0.1'], {
      env: { TWOFOLD_DATA_DIR: byIp }, input: `${await joinToken(master, 'node-ip')}\n`,
    });
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });

    const byName = newDataDir();
    const second = await twofold(['join', '--master', `mfa.twofold.test:${master.httpPort}`, '--advertise-host', '127.0.0.1'], {
      env: { TWOFOLD_DATA_DIR: byName, TWOFOLD_JOIN_TOKEN: await joinToken(master, 'node-dns'), ...resolving('mfa.twofold.test', '127.0.0.2') },
    });
    expect({ code: second.code, stderr: second.stderr }).toEqual({ code: 0, stderr: '' });
    expect(existsSync(join(byName, 'cluster.json'))).toBe(true);

    slave = await ServerProcess.start({ dataDir: byIp, adminToken: master.adminToken, env: { TWOFOLD_NODE_NAME: 'node-ip' } });
    await slave.waitForLog('following the master', 30_000);
    const forwarded = await slave.api('POST', '/admin/v1/cluster/join-tokens', { name: 'node-later' });
    expect(forwarded.status).toBe(201);
  });

  it('a name added to TWOFOLD_TLS_HOSTS later is in the certificate after a restart (re-issued, same key)', async () => {
    const env = { TWOFOLD_ADMIN_TOKEN: master.adminToken, TWOFOLD_DATA_DIR: master.dataDir, ...resolving('sdk.twofold.test', '127.0.0.2') };
    const url = () => `https://sdk.twofold.test:${master.httpPort}`;
    const before = await twofold(['--url', url(), 'status'], { env });
    expect(before.stderr).toMatch(/^twofold: tls_error: .*ERR_TLS_CERT_ALTNAME_INVALID/);
    const key = readFileSync(join(master.dataDir, 'tls/node.key.pem'), 'utf8');
    await master.stop();
    master = await ServerProcess.start({
      host: '127.0.0.2', dataDir: master.dataDir, adminToken: master.adminToken, httpPort: master.httpPort, radiusPort: master.radiusPort,
      acctPort: master.acctPort, replicationPort: master.replicationPort,
      env: { TWOFOLD_NODE_NAME: 'node-m', TWOFOLD_TLS_HOSTS: 'mfa.twofold.test,sdk.twofold.test' },
    });
    const reissued = master.logLines().find((l) => typeof l.msg === 'string' && l.msg.startsWith('node certificate re-issued'));
    expect(reissued).toMatchObject({ added: ['sdk.twofold.test'] });
    const after = await twofold(['--url', url(), '--json', 'status'], { env });
    expect({ code: after.code, stderr: after.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readFileSync(join(master.dataDir, 'tls/node.key.pem'), 'utf8')).toBe(key);
  });
});

describe('the HTTPS port serves a certificate from the enterprise PKI; the replication port keeps the cluster CA', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twofold-pki-'));
  const enterprise = createClusterCa('contoso-enterprise-root');
  const files = {
    ca: join(dir, 'enterprise-ca.pem'),
    cert: join(dir, 'mfa.pem'),
    key: join(dir, 'mfa.key.pem'),
  };
  let master: ServerProcess;
  let slave: ServerProcess | undefined;
  const clients: TwofoldSdkClient[] = [];

  beforeAll(async () => {
    const served = issueCertificate(enterprise, 'mfaapp.contoso.test', { hosts: ['mfaapp.contoso.test', '127.0.0.1', 'localhost'], client: false });
    writeFileSync(files.ca, enterprise.certPem);
    writeFileSync(files.cert, served.certPem);
    writeFileSync(files.key, served.keyPem, { mode: 0o600 });
    master = await ServerProcess.start({ env: { TWOFOLD_HTTPS_CERT_FILE: files.cert, TWOFOLD_HTTPS_KEY_FILE: files.key } });
    master.httpsCa = enterprise.certPem;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await slave?.stop();
    await master?.stop();
  });

  it('8443 presents the administrator\'s certificate (trusted with the enterprise CA alone); 4443 the node certificate', async () => {
    const https = await servedCertificate(master.httpPort, enterprise.certPem);
    expect(https?.subject.CN).toBe('mfaapp.contoso.test');
    expect(await servedCertificate(master.httpPort, master.ca)).toBeNull();
    const node = { cert: readFileSync(join(master.dataDir, 'tls/node.pem'), 'utf8'), key: readFileSync(join(master.dataDir, 'tls/node.key.pem'), 'utf8') };
    const replication = await servedCertificate(master.replicationPort, master.ca, '127.0.0.1', node);
    expect(replication?.issuer.CN).toMatch(/^Twofold cluster CA/);
    expect((await httpsJson('GET', `${master.url}/healthz`, { ca: enterprise.certPem })).status).toBe(200);
  });

  it('an SDK client certificate from the cluster is still accepted on 8443', async () => {
    await createUser(master, 'carol');
    const cert = clientCertificate(master, 'adfs-enterprise');
    await issueCredential(master, 'adfs-enterprise', ['users:read'], cert.fingerprint);
    const sdk = new TwofoldSdkClient({ baseUrl: master.url, ca: enterprise.certPem, cert: cert.certPem, key: cert.keyPem });
    clients.push(sdk);
    await expect(sdk.getUser('carol')).resolves.toMatchObject({ username: 'carol' });
  });

  it('the CLI needs the enterprise CA (--ca) and says so; with it, status and join work', async () => {
    const env = { TWOFOLD_ADMIN_TOKEN: master.adminToken, TWOFOLD_DATA_DIR: master.dataDir };
    const without = await twofold(['--url', master.url, 'status'], { env });
    expect(without.code).not.toBe(0);
    expect(without.stderr).toMatch(/^twofold: tls_error: .*--ca/);
    const withCa = await twofold(['--url', master.url, '--ca', files.ca, 'status'], { env });
    expect({ code: withCa.code, stderr: withCa.stderr }).toEqual({ code: 0, stderr: '' });

    const token = await joinToken(master, 'node-e');
    const joinedDir = newDataDir();
    const refused = await twofold(['join', '--master', `127.0.0.1:${master.httpPort}`, '--token', '-', '--advertise-host', '127.0.0.1'], { env: { TWOFOLD_DATA_DIR: joinedDir }, input: token });
    expect(refused.stderr).toMatch(/^twofold: tls_error: .*--ca/);
    expect(existsSync(joinedDir)).toBe(false);
    const joined = await twofold(['join', '--master', `127.0.0.1:${master.httpPort}`, '--token', '-', '--advertise-host', '127.0.0.1'], {
      env: { TWOFOLD_DATA_DIR: joinedDir, TWOFOLD_CA_FILE: files.ca }, input: token,
    });
    expect({ code: joined.code, stderr: joined.stderr }).toEqual({ code: 0, stderr: '' });

    // A slave that trusts the enterprise CA for its peers forwards writes to the master.
    slave = await ServerProcess.start({ dataDir: joinedDir, adminToken: master.adminToken, env: { TWOFOLD_NODE_NAME: 'node-e', TWOFOLD_HTTPS_PEER_CA_FILE: files.ca } });
    await slave.waitForLog('following the master', 30_000);
    const forwarded = await slave.api('POST', '/admin/v1/cluster/join-tokens', { name: 'node-f' });
    expect(forwarded.status).toBe(201);
  });
});
