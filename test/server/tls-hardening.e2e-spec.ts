import { readFileSync } from 'node:fs';
import { connect as tcpConnect, Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, ConnectionOptions } from 'node:tls';
import { ServerProcess } from '../support/server-process';
import { httpsJson } from '../support/https-json';

// A TLS handshake against a port: the negotiated cipher, or the error that ended it.
function handshake(opts: ConnectionOptions): Promise<{ ok: true; cipher: string; protocol: string | null } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', rejectUnauthorized: false, ...opts }, () => {
      resolve({ ok: true, cipher: socket.getCipher().name, protocol: socket.getProtocol() });
      socket.destroy();
    });
    socket.on('error', (err) => resolve({ ok: false, error: err.message }));
  });
}

// A plain TCP connection that never starts TLS; resolves "closed" when the server hangs up, or
// "still open" when `boundMs` passes first (the test then fails: the server held it).
function silentConnection(port: number, boundMs: number): Promise<'closed' | 'still open'> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('still open');
    }, boundMs);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

function openTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', reject);
  });
}

describe('TLS and connection hygiene on the HTTPS (8443) and replication (4443) ports', () => {
  let server: ServerProcess;
  let node: { cert: string; key: string };

  beforeAll(async () => {
    server = await ServerProcess.start({
      env: {
        TWOFOLD_TLS_HANDSHAKE_TIMEOUT_MS: '1000',
        TWOFOLD_DELIVERY_PROVIDER: 'http',
        TWOFOLD_DELIVERY_HTTP_URL: 'https://gw-user:gw-pass-SECRET1@sms.example.invalid/send?api_key=SECRET2&to={{to}}',
        TWOFOLD_DELIVERY_HTTP_BODY_TEMPLATE: '{"key":"SECRET3","to":"{{to}}","text":"{{text}}"}',
        TWOFOLD_DELIVERY_HTTP_HEADERS: '{"X-Api-Key":"SECRET4"}',
      },
    });
    node = { cert: readFileSync(join(server.dataDir, 'tls/node.pem'), 'utf8'), key: readFileSync(join(server.dataDir, 'tls/node.key.pem'), 'utf8') };
  });
  afterAll(() => server?.stop());

  it('the "starting" log line shows the SMS gateway without its credentials, query, body template or header values', () => {
    const starting = server.logLines().find((l) => l.msg === 'starting');
    const text = JSON.stringify(starting);
    expect(text).toContain('sms.example.invalid/send');
    expect(text).not.toMatch(/SECRET\d|gw-pass|gw-user/);
    // Nor anywhere else in what the server wrote.
    expect(server.stdout.join('') + server.stderr.join('')).not.toMatch(/SECRET\d/);
  });

  it('refuses a client that offers only a non-forward-secret suite (AES128-SHA), on both ports', async () => {
    const https = await handshake({ port: server.httpPort, ciphers: 'AES128-SHA', maxVersion: 'TLSv1.2' });
    expect(https.ok).toBe(false);
    const replication = await handshake({ port: server.replicationPort, ciphers: 'AES128-SHA', maxVersion: 'TLSv1.2', ...node });
    expect(replication.ok).toBe(false);
    // Nor a TLS 1.2 suite without ECDHE, nor TLS 1.1.
    expect((await handshake({ port: server.httpPort, ciphers: 'AES256-GCM-SHA384', maxVersion: 'TLSv1.2' })).ok).toBe(false);
    expect((await handshake({ port: server.httpPort, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).ok).toBe(false);
  });

  it('accepts TLS 1.2 with ECDHE and AEAD, and TLS 1.3, on both ports', async () => {
    expect(await handshake({ port: server.httpPort, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' }))
      .toEqual({ ok: true, cipher: 'ECDHE-RSA-AES128-GCM-SHA256', protocol: 'TLSv1.2' });
    expect(await handshake({ port: server.replicationPort, ciphers: 'ECDHE-RSA-AES256-GCM-SHA384', maxVersion: 'TLSv1.2', ...node }))
      .toEqual({ ok: true, cipher: 'ECDHE-RSA-AES256-GCM-SHA384', protocol: 'TLSv1.2' });
    expect(await handshake({ port: server.httpPort, minVersion: 'TLSv1.3' })).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
    expect(await handshake({ port: server.replicationPort, minVersion: 'TLSv1.3', ...node })).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
  });

  it('sends HSTS on every answer and no-store on answers that carry tokens', async () => {
    const health = await httpsJson('GET', `${server.url}/healthz`, { ca: server.ca });
    expect(health.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    const issued = await server.api('POST', '/admin/v1/cluster/join-tokens', { name: 'node-x' });
    expect(issued.status).toBe(201);
    expect(typeof issued.body.token).toBe('string');
    expect(issued.headers['cache-control']).toBe('no-store');
    expect(issued.headers['strict-transport-security']).toMatch(/max-age=/);
    // Error answers too (they may echo what was sent).
    const refused = await httpsJson('GET', `${server.url}/admin/v1/status`, { ca: server.ca });
    expect(refused.status).toBe(401);
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('closes a connection that never starts TLS after the handshake time-out, on both ports', async () => {
    const [https, replication] = await Promise.all([silentConnection(server.httpPort, 20_000), silentConnection(server.replicationPort, 20_000)]);
    expect({ https, replication }).toEqual({ https: 'closed', replication: 'closed' });
    // The server is unharmed.
    expect((await httpsJson('GET', `${server.url}/healthz`, { ca: server.ca })).status).toBe(200);
  });
});

describe('connections per source address are capped', () => {
  let server: ServerProcess;
  const held: Socket[] = [];

  beforeAll(async () => {
    server = await ServerProcess.start({
      env: { TWOFOLD_HTTP_MAX_CONNECTIONS_PER_SOURCE: '3', TWOFOLD_REPLICATION_MAX_CONNECTIONS_PER_SOURCE: '2', TWOFOLD_TLS_HANDSHAKE_TIMEOUT_MS: '120000' },
    });
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await server?.stop();
  });

  it('over the cap a new connection from the same address is closed; another address is still served', async () => {
    for (let i = 0; i < 3; i++) held.push(await openTcp(server.httpPort));
    for (let i = 0; i < 2; i++) held.push(await openTcp(server.replicationPort));
    expect((await handshake({ port: server.httpPort })).ok).toBe(false);
    expect((await handshake({ port: server.replicationPort })).ok).toBe(false);
    // A different source (127.0.0.2 is loopback too) has its own allowance.
    const other = await httpsJson('GET', `${server.url}/healthz`, { ca: server.ca, localAddress: '127.0.0.2' });
    expect(other.status).toBe(200);
    await server.waitForLog('https: too many connections from one address; new ones are closed');
  });
});
