import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configSchema, ENV_KEYS, TwofoldConfig } from './config.schema';

export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly key: string, readonly rule: string) {
    super(`configuration key ${key}: ${rule}`);
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

// The variable whose path is the issue's path or its nearest parent (a record key, a list item).
function envName(path: (string | number | symbol)[]): string {
  const full = path.map(String).join('.');
  const hit = Object.entries(ENV_KEYS)
    .filter(([, p]) => full === p.join('.') || full.startsWith(`${p.join('.')}.`))
    .sort((a, b) => b[1].length - a[1].length)[0];
  return hit ? `${hit[0]} (${full})` : full;
}

// Config file (JSON; TWOFOLD_CONFIG or options.file) first, then TWOFOLD_* variables over it.
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { file?: string; overrides?: Record<string, unknown> } = {}): TwofoldConfig {
  const raw: Record<string, unknown> = {};
  const file = options.file ?? env.TWOFOLD_CONFIG;
  if (file) {
    const path = resolve(file);
    if (!existsSync(path)) throw new ConfigError('TWOFOLD_CONFIG', `file ${path} does not exist`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ConfigError('TWOFOLD_CONFIG', `file ${path} is not valid JSON (${(e as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('TWOFOLD_CONFIG', 'file must hold a JSON object');
    Object.assign(raw, parsed);
  }
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, value);
  }
  const unknown = Object.keys(env).filter((k) => k.startsWith('TWOFOLD_') && !(k in ENV_KEYS) && !['TWOFOLD_CONFIG', 'TWOFOLD_ADMIN_TOKEN', 'TWOFOLD_URL', 'TWOFOLD_CA_FILE', 'TWOFOLD_JOIN_TOKEN', 'TWOFOLD_TEST_PG_URL', 'TWOFOLD_TEST_KAFKA_BROKERS', 'TWOFOLD_DEBUG'].includes(k));
  if (unknown.length) throw new ConfigError(unknown[0], 'unknown configuration variable');
  for (const [k, v] of Object.entries(options.overrides ?? {})) setPath(raw, k.split('.'), v);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(envName(issue.path), issue.message);
  }
  const kafka = checkKafka(result.data.kafka);
  if (result.data.replication.source === 'kafka' && !kafka.brokers) {
    throw new ConfigError('TWOFOLD_REPLICATION_SOURCE (replication.source)', 'kafka needs TWOFOLD_KAFKA_BROKERS');
  }
  checkSdkFirstFactor(result.data.sdk);
  checkEmail(result.data.email);
  return { ...result.data, kafka, dataDir: resolve(result.data.dataDir) };
}

// An SMTP relay needs its host and a sender address; its CA file must be readable now.
function checkEmail(email: TwofoldConfig['email']): void {
  if (email.provider !== 'smtp') return;
  if (!email.smtpHost) throw new ConfigError('TWOFOLD_EMAIL_SMTP_HOST (email.smtpHost)', 'email.provider smtp needs the relay host');
  if (!email.from) throw new ConfigError('TWOFOLD_EMAIL_FROM (email.from)', 'email.provider smtp needs the sender address');
  readableFile('TWOFOLD_EMAIL_SMTP_CA_FILE (email.smtpCaFile)', email.smtpCaFile);
}

function readableFile(key: string, path: string | undefined): void {
  if (path === undefined) return;
  try {
    readFileSync(path);
  } catch (e) {
    throw new ConfigError(key, `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

// LDAP for the SDK's password check needs a URL and a way to find the user's DN; the CA file must
// be readable now, not at the first sign-in.
function checkSdkFirstFactor(sdk: TwofoldConfig['sdk']): void {
  if (sdk.firstFactor !== 'ldap') return;
  if (!sdk.ldapUrl) throw new ConfigError('TWOFOLD_SDK_LDAP_URL (sdk.ldapUrl)', 'sdk.firstFactor ldap needs the directory URL');
  if (!sdk.ldapBindDnTemplate && !sdk.ldapSearchBase) {
    throw new ConfigError('TWOFOLD_SDK_LDAP_BIND_DN_TEMPLATE (sdk.ldapBindDnTemplate)', 'sdk.firstFactor ldap needs a bind DN template or a search base (TWOFOLD_SDK_LDAP_SEARCH_BASE)');
  }
  if (sdk.ldapStartTls && /(^|,)ldaps:/i.test(sdk.ldapUrl)) throw new ConfigError('TWOFOLD_SDK_LDAP_START_TLS (sdk.ldapStartTls)', 'StartTLS is for ldap:// URLs; ldaps:// is TLS already');
  readableFile('TWOFOLD_SDK_LDAP_CA_FILE (sdk.ldapCaFile)', sdk.ldapCaFile);
}

// Files named for the broker connection must be readable now, not at the first publish; the SASL
// password may come from a file (a mounted secret) instead of the environment.
function checkKafka(kafka: TwofoldConfig['kafka']): TwofoldConfig['kafka'] {
  const readable = (key: string, path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new ConfigError(key, `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  };
  readable('TWOFOLD_KAFKA_CA_FILE (kafka.caFile)', kafka.caFile);
  readable('TWOFOLD_KAFKA_CERT_FILE (kafka.certFile)', kafka.certFile);
  readable('TWOFOLD_KAFKA_KEY_FILE (kafka.keyFile)', kafka.keyFile);
  if (Boolean(kafka.certFile) !== Boolean(kafka.keyFile)) {
    throw new ConfigError(kafka.certFile ? 'TWOFOLD_KAFKA_KEY_FILE (kafka.keyFile)' : 'TWOFOLD_KAFKA_CERT_FILE (kafka.certFile)', 'a client certificate needs both TWOFOLD_KAFKA_CERT_FILE and TWOFOLD_KAFKA_KEY_FILE');
  }
  let { saslPassword } = kafka;
  if (kafka.saslPasswordFile !== undefined) {
    if (saslPassword !== undefined) throw new ConfigError('TWOFOLD_KAFKA_SASL_PASSWORD_FILE (kafka.saslPasswordFile)', 'set the password or the password file, not both');
    saslPassword = readable('TWOFOLD_KAFKA_SASL_PASSWORD_FILE (kafka.saslPasswordFile)', kafka.saslPasswordFile)!.replace(/\r?\n$/, '');
    if (!saslPassword) throw new ConfigError('TWOFOLD_KAFKA_SASL_PASSWORD_FILE (kafka.saslPasswordFile)', `${kafka.saslPasswordFile} is empty`);
  }
  if (kafka.saslMechanism && (!kafka.saslUsername || !saslPassword)) {
    throw new ConfigError('TWOFOLD_KAFKA_SASL_MECHANISM (kafka.saslMechanism)', 'needs TWOFOLD_KAFKA_SASL_USERNAME and TWOFOLD_KAFKA_SASL_PASSWORD (or TWOFOLD_KAFKA_SASL_PASSWORD_FILE)');
  }
  return { ...kafka, saslPassword };
}

const REDACTED = '[redacted]';

// Scheme, host and path only: credentials, the query (gateway API keys) and the fragment go.
export function redactUrl(url: string): string {
  const safe = url.replace(/\/\/[^@/?#]*@/, '//***@');
  const cut = safe.search(/[?#]/);
  return cut === -1 ? safe : `${safe.slice(0, cut)}?${REDACTED}`;
}

// For start-up logs: the config with secret values replaced (header names stay, to help debugging).
export function describeConfig(config: TwofoldConfig): Record<string, unknown> {
  const { delivery } = config;
  return {
    ...config,
    databaseUrl: config.databaseUrl ? redactUrl(config.databaseUrl) : undefined,
    delivery: {
      ...delivery,
      httpUrl: delivery.httpUrl ? redactUrl(delivery.httpUrl) : undefined,
      httpBodyTemplate: delivery.httpBodyTemplate !== undefined ? REDACTED : undefined,
      httpHeaders: delivery.httpHeaders ? Object.fromEntries(Object.keys(delivery.httpHeaders).map((k) => [k, REDACTED])) : undefined,
    },
    kafka: { ...config.kafka, saslPassword: config.kafka.saslPassword ? '***' : undefined },
    sdk: { ...config.sdk, ldapBindPassword: config.sdk.ldapBindPassword ? '***' : undefined },
  };
}
