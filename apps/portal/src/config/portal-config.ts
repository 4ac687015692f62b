import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createClusterCa, issueCertificate } from '@twofold/platform';

export class PortalConfigError extends Error {
  override readonly name = 'PortalConfigError';
  constructor(readonly key: string, detail: string) {
    super(`${key}: ${detail}`);
  }
}

export interface PortalConfig {
  bind: string;
  port: number;
  tls: { certPem: string; keyPem: string; source: 'files' | 'generated' };
  sdkUrls: string[];
  sdkCa?: string;
  sdkCredential: string; // secret: never printed
  sessionKey: Buffer; // secret: never printed
  sessionTtlSeconds: number;
  sdkTimeoutMs: number;
  logLevel: string;
  instanceName: string;
}

type Env = Record<string, string | undefined>;

// Read once at start, from the environment (a value or a *_FILE next to each secret). A bad value
// names its key; main() exits 78 with it, like the server.
export function loadPortalConfig(env: Env = process.env): PortalConfig {
  const dataDir = resolve(env.TWOFOLD_PORTAL_DATA_DIR ?? './portal-data');
  const port = int(env, 'TWOFOLD_PORTAL_PORT', 8444, 1, 65535);
  const sdkUrls = (env.TWOFOLD_PORTAL_SDK_URLS ?? 'https://127.0.0.1:8443').split(',').map((u) => u.trim()).filter(Boolean);
  if (sdkUrls.length === 0) throw new PortalConfigError('TWOFOLD_PORTAL_SDK_URLS', 'must list at least one https:// URL');
  for (const url of sdkUrls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PortalConfigError('TWOFOLD_PORTAL_SDK_URLS', `"${url}" is not a URL`);
    }
    if (parsed.protocol !== 'https:') throw new PortalConfigError('TWOFOLD_PORTAL_SDK_URLS', `"${url}" must be https://`);
  }
  const credential = secret(env, 'TWOFOLD_PORTAL_SDK_CREDENTIAL');
  if (!credential) throw new PortalConfigError('TWOFOLD_PORTAL_SDK_CREDENTIAL', 'required: the SDK credential "<credentialId>.<secret>" (twofold sdk-credential issue portal --scope authenticate,self-service,devices), or TWOFOLD_PORTAL_SDK_CREDENTIAL_FILE');
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(credential)) throw new PortalConfigError('TWOFOLD_PORTAL_SDK_CREDENTIAL', 'must be "<credentialId>.<secret>"');
  const caFile = env.TWOFOLD_PORTAL_SDK_CA_FILE ?? (existsSync('./data/tls/ca.pem') ? './data/tls/ca.pem' : undefined);
  return {
    bind: env.TWOFOLD_PORTAL_BIND ?? '127.0.0.1',
    port,
    tls: tls(env, dataDir),
    sdkUrls,
    ...(caFile ? { sdkCa: file('TWOFOLD_PORTAL_SDK_CA_FILE', caFile) } : {}),
    sdkCredential: credential,
    sessionKey: sessionKey(env, dataDir),
    sessionTtlSeconds: int(env, 'TWOFOLD_PORTAL_SESSION_TTL_SECONDS', 900, 60, 86_400),
    sdkTimeoutMs: int(env, 'TWOFOLD_PORTAL_SDK_TIMEOUT_MS', 8000, 500, 60_000),
    logLevel: oneOf(env, 'TWOFOLD_PORTAL_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug'], 'info'),
    instanceName: env.TWOFOLD_PORTAL_INSTANCE ?? `portal-${port}`,
  };
}

// What may be printed at start: no credential, no key.
export function describePortalConfig(c: PortalConfig): Record<string, unknown> {
  return { bind: c.bind, port: c.port, tls: c.tls.source, sdkUrls: c.sdkUrls, sessionTtlSeconds: c.sessionTtlSeconds, instance: c.instanceName };
}

function int(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new PortalConfigError(key, `must be a whole number from ${min} to ${max}`);
  return n;
}

function oneOf(env: Env, key: string, allowed: string[], fallback: string): string {
  const raw = env[key] ?? fallback;
  if (!allowed.includes(raw)) throw new PortalConfigError(key, `must be one of ${allowed.join(', ')}`);
  return raw;
}

function file(key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new PortalConfigError(key, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function secret(env: Env, key: string): string | undefined {
  const fileKey = `${key}_FILE`;
  if (env[key] !== undefined && env[fileKey] !== undefined) throw new PortalConfigError(key, `give ${key} or ${fileKey}, not both`);
  if (env[fileKey] !== undefined) return file(fileKey, env[fileKey]!).trim();
  return env[key]?.trim() || undefined;
}

// 32 bytes, base64 or hex. Every instance behind the same name needs the same key. Without one,
// a key is created in the data directory (instances on one machine then share it).
function sessionKey(env: Env, dataDir: string): Buffer {
  const key = 'TWOFOLD_PORTAL_SESSION_KEY';
  let text = secret(env, key);
  if (text === undefined) {
    const path = join(dataDir, 'session.key');
    if (!existsSync(path)) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    }
    text = readFileSync(path, 'utf8').trim();
  }
  const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (bytes.length !== 32) throw new PortalConfigError(key, 'must be 32 bytes, in base64 or hex (openssl rand -base64 32)');
  return bytes;
}

// HTTPS only. Without a certificate, a self-signed one for localhost is made once (for trying it out).
function tls(env: Env, dataDir: string): PortalConfig['tls'] {
  const certFile = env.TWOFOLD_PORTAL_TLS_CERT_FILE;
  const keyFile = env.TWOFOLD_PORTAL_TLS_KEY_FILE;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new PortalConfigError(certFile === undefined ? 'TWOFOLD_PORTAL_TLS_CERT_FILE' : 'TWOFOLD_PORTAL_TLS_KEY_FILE', 'give both the certificate and the key file');
  }
  if (certFile && keyFile) {
    const certPem = file('TWOFOLD_PORTAL_TLS_CERT_FILE', certFile);
    const keyPem = file('TWOFOLD_PORTAL_TLS_KEY_FILE', keyFile);
    if (!certPem.includes('BEGIN CERTIFICATE')) throw new PortalConfigError('TWOFOLD_PORTAL_TLS_CERT_FILE', 'is not a PEM certificate');
    if (!keyPem.includes('PRIVATE KEY')) throw new PortalConfigError('TWOFOLD_PORTAL_TLS_KEY_FILE', 'is not a PEM private key');
    return { certPem, keyPem, source: 'files' };
  }
  const certPath = join(dataDir, 'tls/portal.pem');
  const keyPath = join(dataDir, 'tls/portal.key.pem');
  if (!existsSync(certPath)) {
    mkdirSync(join(dataDir, 'tls'), { recursive: true, mode: 0o700 });
    const issued = issueCertificate(createClusterCa('portal-self-signed'), 'twofold-portal', { hosts: ['localhost', '127.0.0.1'], server: true });
    writeFileSync(keyPath, issued.keyPem, { mode: 0o600 });
    writeFileSync(certPath, issued.certPem, { mode: 0o644 });
  }
  return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8'), source: 'generated' };
}
