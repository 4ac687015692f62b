import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base32Decode } from '@twofold/domain';
import { generateTotp } from '@twofold/mfa';
import { certificateFingerprint, issueCertificate, KeyAndCert } from '@twofold/platform';
import { TwofoldSdkClient } from '@twofold/sdk-client';
import { ServerProcess } from '../support/server-process';
import { readDeliveries, secretFromOtpauth, waitForDeliveries } from '../support/radius-tools';

export type Scope = 'authenticate' | 'users:read' | 'self-service' | 'devices';
export const ALL_SCOPES: Scope[] = ['authenticate', 'users:read', 'self-service', 'devices'];

// A client certificate signed by the server's own data-dir CA, as an administrator would issue one.
export function clientCertificate(server: ServerProcess, commonName: string): KeyAndCert & { fingerprint: string } {
  const ca = { certPem: readFileSync(join(server.dataDir, 'tls/ca.pem'), 'utf8'), keyPem: readFileSync(join(server.dataDir, 'tls/ca.key.pem'), 'utf8') };
  const issued = issueCertificate(ca, commonName, { client: true, server: false });
  return { ...issued, fingerprint: certificateFingerprint(issued.certPem) };
}

async function ok<T>(res: Promise<{ status: number; body: T; text: string }>, what: string): Promise<T> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r.body;
}

export async function issueCredential(server: ServerProcess, name: string, scopes: Scope[], certificateFingerprint?: string): Promise<{ credentialId: string; token: string }> {
  return ok(server.api('POST', '/admin/v1/sdk-credentials', { name, scopes, ...(certificateFingerprint ? { certificateFingerprint } : {}) }), `issue ${name}`);
}

export function bearerClient(server: ServerProcess, token: string): TwofoldSdkClient {
  return new TwofoldSdkClient({ baseUrl: server.url, ca: server.ca, token, validateResponses: true });
}

export function certClient(server: ServerProcess, cert: KeyAndCert): TwofoldSdkClient {
  return new TwofoldSdkClient({ baseUrl: server.url, ca: server.ca, cert: cert.certPem, key: cert.keyPem, validateResponses: true });
}

export interface UserSpec { method?: 'totp' | 'sms' | 'voice' | 'push'; pin?: string; totp?: boolean; phone?: string }

export async function createUser(server: ServerProcess, username: string, spec: UserSpec = {}): Promise<{ userId: string; seed?: Buffer }> {
  const user = await ok<{ userId: string }>(server.api('POST', '/admin/v1/users', {
    username, preferredMethod: spec.method ?? 'totp', ...(spec.phone ? { phones: [{ label: 'mobile', number: spec.phone }] } : {}),
  }), `create ${username}`);
  if (spec.pin) await ok(server.api('PUT', `/admin/v1/users/${username}/pin`, { pin: spec.pin }), 'set PIN');
  let seed: Buffer | undefined;
  if (spec.totp) {
    const token = await ok<{ otpauthUri: string }>(server.api('POST', `/admin/v1/users/${username}/tokens`, {}), 'assign token');
    seed = base32Decode(secretFromOtpauth(token.otpauthUri));
  }
  return { userId: user.userId, seed };
}

// stepOffset 1: the next period's code (the server accepts one step of drift), for a second sign-in.
export const totp = (seed: Buffer, stepOffset = 0) => generateTotp(seed, Date.now() + stepOffset * 30_000);

export function deliveriesOf(server: ServerProcess): { count(): number; after(n: number, count?: number): ReturnType<typeof waitForDeliveries> } {
  const path = join(server.dataDir, 'deliveries.jsonl');
  return {
    count: () => readDeliveries(path).length,
    after: async (n: number, count = 1) => (await waitForDeliveries(path, n + count)).slice(n),
  };
}

export async function logHead(server: ServerProcess): Promise<number> {
  return (await ok<{ logHead: { position: number } }>(server.api('GET', '/admin/v1/status'), 'status')).logHead.position;
}

// Rejects with the SdkApiError (or resolves the answer): for asserting problem codes.
export async function problemOf(call: Promise<unknown>): Promise<{ status: number; code: string; retryAfterSeconds?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as { status?: number; code?: string; retryAfterSeconds?: number };
    if (e.status !== undefined) return { status: e.status, code: e.code!, ...(e.retryAfterSeconds !== undefined ? { retryAfterSeconds: e.retryAfterSeconds } : {}) };
    throw error;
  }
  throw new Error('expected the call to fail');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// One server for the describe block and a client holding a credential with every scope (what the
// portal holds); `set` receives both once they are up. Both are closed after the block.
export function withServerAndFullClient(set: (server: ServerProcess, sdk: TwofoldSdkClient) => void): void {
  let server: ServerProcess | undefined;
  let sdk: TwofoldSdkClient | undefined;
  beforeAll(async () => {
    server = await ServerProcess.start();
    sdk = bearerClient(server, (await issueCredential(server, 'portal', ALL_SCOPES)).token);
    set(server, sdk);
  });
  afterAll(async () => {
    sdk?.close();
    await server?.stop();
  });
}
