import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { base32Encode } from '@twofold/domain';
import type { ServerProcess } from '../../support/server-process';
import { secretFromOtpauth } from '../../support/radius-tools';

async function ok<T = any>(server: ServerProcess, method: string, path: string, body?: unknown): Promise<T> {
  const res = await server.api(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body as T;
}

export const newSessionKey = () => randomBytes(32).toString('base64');
export const caFileOf = (server: ServerProcess) => join(server.dataDir, 'tls/ca.pem');

// The portal's credential: authenticate + self-service, and devices for its /mobile/v1 (the
// phones' calls it forwards), as `twofold sdk-credential issue` makes it.
export async function portalCredential(server: ServerProcess): Promise<string> {
  return (await ok<{ token: string }>(server, 'POST', '/admin/v1/sdk-credentials', { name: 'portal', scopes: ['authenticate', 'self-service', 'devices'] })).token;
}

// A user with a local password and one TOTP token (the seed in base32, for oathtool).
export async function userWithToken(server: ServerProcess, username: string, password: string, extra: Record<string, unknown> = {}): Promise<{ userId: string; seed: string }> {
  const user = await ok<{ userId: string }>(server, 'POST', '/admin/v1/users', { username, displayName: username[0].toUpperCase() + username.slice(1), preferredMethod: 'totp', ...extra });
  await ok(server, 'PUT', `/admin/v1/users/${username}/password`, { password });
  const token = await ok<{ otpauthUri: string }>(server, 'POST', `/admin/v1/users/${username}/tokens`, { label: 'first phone' });
  return { userId: user.userId, seed: secretFromOtpauth(token.otpauthUri) };
}

export async function tokensOf(server: ServerProcess, username: string): Promise<Array<{ tokenId: string; label: string }>> {
  return ok(server, 'GET', `/admin/v1/users/${username}/tokens`);
}

export async function logPosition(server: ServerProcess): Promise<number> {
  return (await ok<{ logHead: { position: number } }>(server, 'GET', '/admin/v1/status')).logHead.position;
}

export const randomBase32 = () => base32Encode(randomBytes(20));
