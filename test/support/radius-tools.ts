import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createSocket, Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { buildRequest, parsePacket, RadiusAttribute, RadiusPacket, stringAttribute, octetsAttribute, verifyResponse } from '@twofold/radius';

export const hasRadclient = spawnSync('radclient', ['-v']).status === 0;
export const hasOathtool = spawnSync('oathtool', ['--version']).status === 0;

// The python3 that can import pyrad (Debian's python3-pyrad lives in the system interpreter).
export const pyradPython: string | undefined = ['python3', '/usr/bin/python3'].find(
  (py) => spawnSync(py, ['-c', 'import pyrad'], { stdio: 'ignore' }).status === 0,
);

export interface RadclientResult {
  code: 'Access-Accept' | 'Access-Reject' | 'Access-Challenge' | 'Accounting-Response' | 'none';
  replyMessage: string;
  state?: string; // 0x... as radclient prints it
  output: string;
  exitCode: number | null;
}

// One radclient run (FreeRADIUS's own test client), attributes as radclient's text input.
export async function radclient(port: number, secret: string, attributes: Record<string, string>, opts: { command?: 'auth' | 'acct'; timeoutS?: number; retries?: number } = {}): Promise<RadclientResult> {
  const input = Object.entries(attributes).map(([k, v]) => `${k} = ${v.startsWith('0x') ? v : JSON.stringify(v)}`).join('\n') + '\n';
  const child = spawn('radclient', ['-x', '-r', String(opts.retries ?? 1), '-t', String(opts.timeoutS ?? 3), `127.0.0.1:${port}`, opts.command ?? 'auth', secret]);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  child.stdin.end(input);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const code = (/Received (Access-Accept|Access-Reject|Access-Challenge|Accounting-Response)/.exec(output)?.[1] ?? 'none') as RadclientResult['code'];
  const replyMessage = [...output.matchAll(/Reply-Message = "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join('');
  const state = /\bState = (0x[0-9a-f]+)/.exec(output)?.[1];
  return { code, replyMessage, state, output, exitCode };
}

// PAP sign-ins to a node's RADIUS port over `secret`, with a Message-Authenticator as a NAS sends
// it; `timeoutS` per call overrides the one given here.
export function papWith(secret: string, opts: { timeoutS?: number; retries?: number } = {}) {
  return (node: { radiusPort: number }, user: string, password: string, extra: Record<string, string> = {}, timeoutS = opts.timeoutS) =>
    radclient(node.radiusPort, secret, { 'User-Name': user, 'User-Password': password, 'Message-Authenticator': '0x00', ...extra }, { ...opts, timeoutS });
}

export function oathtoolTotp(base32Secret: string, offsetSeconds = 0): string {
  const args = ['--totp', '-b', base32Secret];
  if (offsetSeconds !== 0) args.push('--now', new Date(Date.now() + offsetSeconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
  return execFileSync('oathtool', args, { encoding: 'utf8' }).trim();
}

export function secretFromOtpauth(uri: string): string {
  const secret = new URL(uri).searchParams.get('secret');
  if (!secret) throw new Error('otpauth URI without a secret');
  return secret;
}

export interface DeliveryRecord { channel: string; to: string; userId: string; text: string; approvalId?: string }

export function readDeliveries(path: string): DeliveryRecord[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as DeliveryRecord);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function waitForDeliveries(path: string, count: number, timeoutMs = 10_000): Promise<DeliveryRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = readDeliveries(path);
    if (records.length >= count) return records;
    if (Date.now() > deadline) throw new Error(`expected ${count} deliveries in ${path}, found ${records.length}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A small RADIUS client on our own codec, for exact-packet tests (duplicates, fuzz, source address).
export class TestRadiusClient {
  private constructor(readonly socket: Socket) {}

  static async open(bindAddress = '127.0.0.1'): Promise<TestRadiusClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, bindAddress, resolve));
    return new TestRadiusClient(socket);
  }

  request(secret: string, username: string, password: string, extra: RadiusAttribute[] = [], opts: { messageAuthenticator?: boolean } = {}): RadiusPacket {
    return buildRequest({ secret, userPassword: password, messageAuthenticator: opts.messageAuthenticator, attributes: [stringAttribute('User-Name', username), ...extra] });
  }

  stateAttribute(state: Buffer): RadiusAttribute {
    return octetsAttribute('State', state);
  }

  // Sends raw bytes and waits for an answer to that identifier (undefined after waitMs).
  send(raw: Buffer, port: number, waitMs = 3000): Promise<RadiusPacket | undefined> {
    const identifier = raw[1];
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.socket.off('message', onMessage); resolve(undefined); }, waitMs);
      const onMessage = (msg: Buffer) => {
        let packet: RadiusPacket;
        try { packet = parsePacket(msg); } catch { return; }
        if (packet.identifier !== identifier) return;
        clearTimeout(timer);
        this.socket.off('message', onMessage);
        resolve(packet);
      };
      this.socket.on('message', onMessage);
      this.socket.send(raw, port, '127.0.0.1');
    });
  }

  async exchange(request: RadiusPacket, secret: string, port: number, waitMs = 3000): Promise<RadiusPacket | undefined> {
    const answer = await this.send(request.raw, port, waitMs);
    if (answer && !verifyResponse(answer, request, secret).ok) throw new Error('answer failed verification');
    return answer;
  }

  fire(raw: Buffer, port: number): void {
    this.socket.send(raw, port, '127.0.0.1');
  }

  close(): void {
    this.socket.close();
  }
}

// Prometheus text: the value of twofold_radius_requests_total{outcome="..."}.
export function radiusCounter(metricsText: string, outcome: string): number {
  const m = new RegExp(`twofold_radius_requests_total\\{outcome="${outcome}"\\} (\\d+)`).exec(metricsText);
  return m ? Number(m[1]) : 0;
}

export interface RadiusUserSpec {
  method?: 'totp' | 'sms' | 'voice' | 'push';
  password?: string;
  pin?: string;
  phone?: string;
  totp?: boolean;
}

interface AdminApi {
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; text: string }>;
}

async function ok<T>(call: Promise<{ status: number; body: T; text: string }>, what: string): Promise<T> {
  const res = await call;
  if (res.status >= 300) throw new Error(`${what}: HTTP ${res.status} ${res.text}`);
  return res.body;
}

// Creates a user through the admin API; returns its id and, with totp, the base32 seed.
export async function createRadiusUser(server: AdminApi, username: string, spec: RadiusUserSpec = {}): Promise<{ userId: string; secret?: string }> {
  const user = await ok<{ userId: string }>(server.api('POST', '/admin/v1/users', {
    username, preferredMethod: spec.method ?? 'totp', ...(spec.phone ? { phones: [{ label: 'mobile', number: spec.phone }] } : {}),
  }), `create ${username}`);
  if (spec.password) await ok(server.api('PUT', `/admin/v1/users/${username}/password`, { password: spec.password }), 'set password');
  if (spec.pin) await ok(server.api('PUT', `/admin/v1/users/${username}/pin`, { pin: spec.pin }), 'set PIN');
  let secret: string | undefined;
  if (spec.totp) {
    const token = await ok<{ otpauthUri: string }>(server.api('POST', `/admin/v1/users/${username}/tokens`, {}), 'assign token');
    secret = secretFromOtpauth(token.otpauthUri);
  }
  return { userId: user.userId, secret };
}

export async function addRadiusClient(server: AdminApi, body: Record<string, unknown>): Promise<{ clientId: string }> {
  return ok(server.api('POST', '/admin/v1/radius-clients', body), `add RADIUS client ${String(body.name)}`);
}
