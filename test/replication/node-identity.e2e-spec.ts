import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateFingerprint, issueCertificate, type KeyAndCert } from '@twofold/platform';
import { httpsJson } from '../support/https-json';
import { ServerProcess } from '../support/server-process';
import { freePort } from '../support/ports';
import { cliFor, twofold } from '../support/cli';
import { ReplicationPeer } from '../support/replication-peer';
import { addRadiusClient, createRadiusUser, hasOathtool, hasRadclient, oathtoolTotp, radclient } from '../support/radius-tools';
import { eventually } from '../support/eventually';
import { head } from './support/cluster-nodes';

// Issue 14, Critical + High: a node is its certificate. A real master and a slave that joined it
// with the CLI; each attack below is what a holder of some certificate of the cluster CA (an SDK
// client certificate, a copy of a node's name) or a member slave gone bad would try.
const describeIfTools = hasRadclient && hasOathtool ? describe : describe.skip;
const SECRET = 'identity-e2e-shared-secret';


const read = (dir: string, file: string) => readFileSync(join(dir, 'tls', file), 'utf8');
const tlsOf = (c: KeyAndCert, ca: string) => ({ key: c.keyPem, cert: c.certPem, ca });

describeIfTools('node identity: only recorded member certificates replicate', () => {
  let master: ServerProcess;
  let s1: ServerProcess;
  let s1Dir: string;
  let s1Ports: { httpPort: number; replicationPort: number };
  let ca: KeyAndCert; // the master's CA: what an administrator following the old docs held
  let clusterId: string;
  let masterId: string;
  let s1Id: string;
  let seed: string;
  const startS1 = () => ServerProcess.start({ dataDir: s1Dir, adminToken: master.adminToken, ...s1Ports, env: { TWOFOLD_NODE_NAME: 's1' } });
  const slaveNames = async () => ((await master.api('GET', '/admin/v1/status')).body.slaves as Array<{ nodeName: string }>).map((s) => s.nodeName);
  const totpOnMaster = (offset = 0) => radclient(master.radiusPort, SECRET, { 'User-Name': 'alice', 'User-Password': oathtoolTotp(seed, offset), 'Message-Authenticator': '0x00' }, { timeoutS: 3 });

  // Opens the replication port with `cert`, says hello as `as`, and collects what comes back.
  async function attempt(cert: KeyAndCert, as: { nodeId: string; nodeName: string }): Promise<ReplicationPeer> {
    const peer = await ReplicationPeer.open(master.replicationPort, tlsOf(cert, ca.certPem));
    peer.hello({ clusterId, ...as });
    await eventually('the master answered', async () => peer.received.length > 0 || peer.closed);
    return peer;
  }

  beforeAll(async () => {
    master = await ServerProcess.start({ env: { TWOFOLD_NODE_NAME: 'm1' } });
    ca = { certPem: read(master.dataDir, 'ca.pem'), keyPem: read(master.dataDir, 'ca.key.pem') };
    await addRadiusClient(master, { name: 'loopback', address: '127.0.0.1', secret: SECRET, firstFactor: 'none' });
    seed = (await createRadiusUser(master, 'alice', { totp: true })).secret!;
    s1Dir = join(mkdtempSync(join(tmpdir(), 'twofold-s1-')), 'data');
    s1Ports = { httpPort: await freePort(), replicationPort: await freePort() };
    const issued = await master.api('POST', '/admin/v1/cluster/join-tokens', { name: 's1' });
    const joined = await twofold(['--data-dir', s1Dir, '--json', 'join', '--master', `127.0.0.1:${master.httpPort}`, '--token', issued.body.token,
      '--advertise-host', '127.0.0.1', '--http-port', String(s1Ports.httpPort), '--replication-port', String(s1Ports.replicationPort)]);
    expect(joined.code).toBe(0);
    s1 = await startS1();
    const epoch = (await master.api('GET', '/cluster/v1/epoch')).body; // public: anyone learns the master's id
    masterId = epoch.nodeId;
    clusterId = JSON.parse(readFileSync(join(master.dataDir, 'cluster.json'), 'utf8')).clusterId;
    s1Id = JSON.parse(readFileSync(join(s1Dir, 'cluster.json'), 'utf8')).nodeId;
    await eventually('s1 following', async () => (await slaveNames()).includes('s1'));
  });

  let s2: ServerProcess | undefined;

  afterAll(async () => {
    for (const node of [s2, s1, master]) await node?.stop('SIGKILL');
  });

  it('records each node\'s certificate fingerprint in the log', async () => {
    const nodes = (await master.api('GET', '/admin/v1/cluster/nodes')).body as Array<{ nodeName: string; certificateFingerprint: string; removed: boolean }>;
    expect(nodes.map((n) => [n.nodeName, n.certificateFingerprint, n.removed])).toEqual([
      ['m1', certificateFingerprint(read(master.dataDir, 'node.pem')), false],
      ['s1', certificateFingerprint(read(s1Dir, 'node.pem')), false],
    ]);
  });

  it('a joined slave holds no CA key', () => {
    expect(existsSync(join(s1Dir, 'tls/ca.pem'))).toBe(true);
    expect(existsSync(join(s1Dir, 'tls/ca.key.pem'))).toBe(false);
  });

  it('refuses a cluster-CA client certificate claiming the master\'s node id: no welcome, no record', async () => {
    // What docs/sdk.md used to have an ADFS administrator sign with data/tls/ca.key.pem.
    const client = issueCertificate(ca, 'm1', { client: true, server: false });
    const peer = await attempt(client, { nodeId: masterId, nodeName: 'm1' });
    await eventually('closed', async () => peer.closed);
    expect(peer.types()).toEqual(['refuse']);
    expect(peer.received[0]).toMatchObject({ reason: 'unknown_node' });
  });

  it('a claimed epoch never fences the master by itself, not even from a member: writes go on', async () => {
    // s1's own certificate (a member), claiming an epoch no record in the cluster holds. Before, the
    // master fenced itself on the hello alone and answered every write 503 until a restart.
    const own = { certPem: read(s1Dir, 'node.pem'), keyPem: read(s1Dir, 'node.key.pem') };
    const peer = await ReplicationPeer.open(master.replicationPort, tlsOf(own, ca.certPem));
    peer.hello({ clusterId, nodeId: s1Id, nodeName: 's1', epoch: 999 });
    await eventually('the master answered', async () => peer.received.length > 0 || peer.closed);
    peer.close();
    // The claim makes the master ask its peers (at once, and again on its 2 s round): none names a
    // verified newer master, so it stays master.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await master.api('GET', '/cluster/v1/epoch')).body).toMatchObject({ epoch: 0, fenced: false, role: 'master' });
    expect((await master.api('POST', '/admin/v1/users', { username: 'after-the-claim' })).status).toBe(201);
  });

  it('refuses a node certificate whose fingerprint is not the one recorded for the node it claims', async () => {
    // Even with the node OU and the member's name: only the recorded certificate is that node.
    const twin = issueCertificate(ca, 's1', { role: 'node', hosts: ['127.0.0.1'] });
    const peer = await attempt(twin, { nodeId: s1Id, nodeName: 's1' });
    await eventually('closed', async () => peer.closed);
    expect(peer.types()).toEqual(['refuse']);
    expect((await slaveNames())).toEqual(['s1']);
  });

  it('issues SDK client certificates on the master (the CA key stays there); they never open the replication port', async () => {
    const issued = await master.api('POST', '/admin/v1/sdk-client-certificates', { name: 'portal' });
    expect(issued.status).toBe(201);
    expect(issued.body.keyPem).toMatch(/PRIVATE KEY/);
    expect(certificateFingerprint(issued.body.certPem)).toBe(issued.body.certificateFingerprint);
    const peer = await attempt({ certPem: issued.body.certPem, keyPem: issued.body.keyPem }, { nodeId: masterId, nodeName: 'portal' });
    await eventually('closed', async () => peer.closed);
    expect(peer.types()).toEqual(['refuse']);
    // A slave cannot issue one: it has no CA key (the request goes to the master, which can).
    const viaSlave = await s1.api('POST', '/admin/v1/sdk-client-certificates', { name: 'portal2' });
    expect(viaSlave.status).toBe(201);
  });

  it('ignores a forwarded-client-cert header sent with an SDK client certificate, and no node certificate is an SDK principal', async () => {
    const adfsCert = issueCertificate(ca, 'adfs', { client: true, server: false });
    const issued = { body: { certPem: adfsCert.certPem, keyPem: adfsCert.keyPem, certificateFingerprint: certificateFingerprint(adfsCert.certPem) } };
    const bound = await master.api('POST', '/admin/v1/sdk-credentials', { name: 'adfs', scopes: ['users:read'], certificateFingerprint: issued.body.certificateFingerprint });
    expect(bound.status).toBe(201);
    const asAdfs = await httpsJson('GET', `${master.url}/sdk/v1/users/alice`, { ca: ca.certPem, cert: issued.body.certPem, key: issued.body.keyPem });
    expect(asAdfs.status).toBe(200);

    // A client certificate named like a node, claiming to forward for the ADFS credential.
    const forger = issueCertificate(ca, 's1', { client: true, server: false });
    const forged = await httpsJson('GET', `${master.url}/sdk/v1/users/alice`, {
      ca: ca.certPem, cert: forger.certPem, key: forger.keyPem, headers: { 'x-twofold-forwarded-client-cert': issued.body.certificateFingerprint },
    });
    expect(forged.status).toBe(401);

    // A credential bound (by mistake or malice) to a node's certificate does not make it a principal.
    const nodeFp = certificateFingerprint(read(s1Dir, 'node.pem'));
    expect((await master.api('POST', '/admin/v1/sdk-credentials', { name: 'node-as-client', scopes: ['users:read'], certificateFingerprint: nodeFp })).status).toBe(201);
    const asNode = await httpsJson('GET', `${master.url}/sdk/v1/users/alice`, { ca: ca.certPem, cert: read(s1Dir, 'node.pem'), key: read(s1Dir, 'node.key.pem') });
    expect(asNode.status).toBe(401);
  });

  it('checks upstream events from a member: counters beyond the window, other kinds and forged actors are not appended as sent', async () => {
    await s1.stop('SIGKILL');
    const s1Cert = { certPem: read(s1Dir, 'node.pem'), keyPem: read(s1Dir, 'node.key.pem') };
    const peer = await attempt(s1Cert, { nodeId: s1Id, nodeName: 's1' });
    expect(peer.types()[0]).toBe('welcome');
    const { userId } = (await master.api('GET', '/admin/v1/users/alice')).body;
    const [token] = (await master.api('GET', '/admin/v1/users/alice/tokens')).body;
    const upstream = (id: string, kind: string, payload: Record<string, unknown>) => peer.send({ type: 'upstream', id, kind, payload });
    upstream('u-burn', 'code_used', { userId, tokenId: token.tokenId, counter: Number.MAX_SAFE_INTEGER, source: 'radius' });
    upstream('u-kind', 'UserDeleted', { userId });
    upstream('u-actor', 'failed_attempt', { userId, reason: 'wrong code', source: 'admin:root' });
    await eventually('all three handled', async () => {
      const acked = peer.received.filter((m) => m.type === 'upstreamAck').flatMap((m) => (m as { ids: string[] }).ids);
      return ['u-burn', 'u-kind', 'u-actor'].every((id) => acked.includes(id));
    });
    peer.close();

    // The token was not burnt: the current code still signs alice in.
    expect((await totpOnMaster()).code).toBe('Access-Accept');
    expect((await master.api('GET', '/admin/v1/users/alice')).body.userId).toBe(userId);
    const refusals = master.logLines().filter((l) => l.msg === 'upstream security event refused, not appended');
    expect(refusals.map((l) => l.upstreamId).sort()).toEqual(['u-burn', 'u-kind']);
    // The failure is recorded, in the name of the node that sent it.
    const tail = await cliFor(master)(['--json', 'log', 'tail', '-n', '50']);
    const failed = tail.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'AuthenticationFailed' && r.metadata.causationId === 'u-actor');
    expect(failed).toHaveLength(1);
    expect(failed[0].metadata.actor).toBe('node:s1');
  });

  it('re-issues a node certificate: the old one is refused at once, the new one works after the node restarts', async () => {
    const oldCert = { certPem: read(s1Dir, 'node.pem'), keyPem: read(s1Dir, 'node.key.pem') };
    const outDir = mkdtempSync(join(tmpdir(), 'twofold-reissue-'));
    const reissued = await cliFor(master)(['--json', 'cluster', 'reissue-cert', 's1', '--out', outDir]);
    expect(reissued.code).toBe(0);
    const newFp = JSON.parse(reissued.stdout).fingerprint;
    expect(certificateFingerprint(readFileSync(join(outDir, 'node.pem')))).toBe(newFp);

    const stale = await attempt(oldCert, { nodeId: s1Id, nodeName: 's1' });
    await eventually('closed', async () => stale.closed);
    expect(stale.types()).toEqual(['refuse']);

    // The administrator installs the new files on s1 and restarts it.
    await s1.stop('SIGKILL');
    const { copyFileSync } = await import('node:fs');
    copyFileSync(join(outDir, 'node.pem'), join(s1Dir, 'tls/node.pem'));
    copyFileSync(join(outDir, 'node.key.pem'), join(s1Dir, 'tls/node.key.pem'));
    s1 = await startS1();
    await eventually('s1 following with its new certificate', async () => (await slaveNames()).includes('s1'));
  });

  it('removes a node: its open session closes, it is refused on reconnect, and its certificate no longer forwards SDK calls', async () => {
    const adfs = (await master.api('GET', '/admin/v1/sdk-credentials')).body.find((c: { name: string }) => c.name === 'adfs');
    const forwardAsS1 = () => httpsJson('GET', `${master.url}/sdk/v1/users/alice`, {
      ca: ca.certPem, cert: read(s1Dir, 'node.pem'), key: read(s1Dir, 'node.key.pem'), headers: { 'x-twofold-forwarded-client-cert': adfs.certificateFingerprint },
    });
    expect((await forwardAsS1()).status).toBe(200); // a member forwarding for a client
    const removed = await cliFor(master)(['cluster', 'remove-node', 's1']);
    expect(removed.code).toBe(0);
    await eventually('s1 dropped', async () => !(await slaveNames()).includes('s1'));
    await eventually('s1 told it is refused', async () => s1.logLines().some((l) => l.msg === 'the master refused this node' && /removed/.test(String(l.detail))));
    expect(await slaveNames()).toEqual([]);

    expect((await forwardAsS1()).status).toBe(401);
    const nodes = (await master.api('GET', '/admin/v1/cluster/nodes')).body as Array<{ nodeName: string; removed: boolean }>;
    expect(nodes.find((n) => n.nodeName === 's1')?.removed).toBe(true);
    // The master itself cannot be removed.
    const self = await cliFor(master)(['cluster', 'remove-node', 'm1']);
    expect(self.code).not.toBe(0);
    expect(self.stderr).toMatch(/promote another node/);
  });

  it('a promoted slave has no CA key: issuing certificates fails with a clear message, not by default', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'twofold-s2-')), 'data');
    const ports = { httpPort: await freePort(), replicationPort: await freePort() };
    const issued = await master.api('POST', '/admin/v1/cluster/join-tokens', { name: 's2' });
    const joined = await twofold(['--data-dir', dir, 'join', '--master', `127.0.0.1:${master.httpPort}`, '--token', issued.body.token,
      '--advertise-host', '127.0.0.1', '--http-port', String(ports.httpPort), '--replication-port', String(ports.replicationPort)]);
    expect(joined.code).toBe(0);
    s2 = await ServerProcess.start({ dataDir: dir, adminToken: master.adminToken, ...ports, env: { TWOFOLD_NODE_NAME: 's2' } });
    await eventually('s2 following', async () => (await slaveNames()).includes('s2'));
    // Connected is not caught up: a slave that has not yet received its own membership cannot be
    // promoted (a loaded machine showed that window).
    const masterHead = await head(master);
    await eventually('s2 at the master head', async () => (await head(s2!)).position >= masterHead.position);
    await master.stop('SIGKILL');
    expect((await s2.api('POST', '/admin/v1/cluster/promote')).body).toMatchObject({ role: 'master' });
    for (const [path, body] of [['/admin/v1/sdk-client-certificates', { name: 'x' }], ['/admin/v1/cluster/nodes/s2/certificate', undefined]] as const) {
      const refused = await s2.api('POST', path, body);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('ca_key_missing');
      expect(refused.body.detail).toMatch(/tls\/ca\.key\.pem/);
    }
  });
});
