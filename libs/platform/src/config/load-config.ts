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

function envName(path: (string | number | symbol)[]): string {
  const hit = Object.entries(ENV_KEYS).find(([, p]) => p.join('.') === path.join('.'));
  return hit ? `${hit[0]} (${path.join('.')})` : path.join('.');
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
  const unknown = Object.keys(env).filter((k) => k.startsWith('TWOFOLD_') && !(k in ENV_KEYS) && !['TWOFOLD_CONFIG', 'TWOFOLD_ADMIN_TOKEN', 'TWOFOLD_URL', 'TWOFOLD_CA_FILE', 'TWOFOLD_TEST_PG_URL', 'TWOFOLD_TEST_KAFKA_BROKERS', 'TWOFOLD_DEBUG'].includes(k));
  if (unknown.length) throw new ConfigError(unknown[0], 'unknown configuration variable');
  for (const [k, v] of Object.entries(options.overrides ?? {})) setPath(raw, k.split('.'), v);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(envName(issue.path), issue.message);
  }
  const { kafka } = result.data;
  if (kafka.saslMechanism && (!kafka.saslUsername || !kafka.saslPassword)) {
    throw new ConfigError('TWOFOLD_KAFKA_SASL_MECHANISM (kafka.saslMechanism)', 'needs TWOFOLD_KAFKA_SASL_USERNAME and TWOFOLD_KAFKA_SASL_PASSWORD');
  }
  return { ...result.data, dataDir: resolve(result.data.dataDir) };
}

// For start-up logs: the config with secret values replaced.
export function describeConfig(config: TwofoldConfig): Record<string, unknown> {
  return {
    ...config,
    databaseUrl: config.databaseUrl ? config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@') : undefined,
    kafka: { ...config.kafka, saslPassword: config.kafka.saslPassword ? '***' : undefined },
  };
}
