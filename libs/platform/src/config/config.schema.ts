import { isIP } from 'node:net';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
// A DNS name (optionally one leading wildcard label) or an IP address, as a certificate may carry it.
const DNS_NAME = /^(\*\.)?(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
export function isCertificateHost(value: string): boolean {
  return isIP(value) !== 0 || DNS_NAME.test(value);
}
const hostList = z.union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((h) => h.trim()).filter((h) => h !== ''))
  .superRefine((hosts, ctx) => {
    const bad = hosts.find((h) => !isCertificateHost(h));
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `"${bad.slice(0, 80)}" is not a DNS name or IP address (comma-separated list, e.g. mfa.example.com,10.0.0.5)` });
  });
// HTTP headers for the SMS gateway, as a JSON object of name -> value (API keys: secret).
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerMap = z.union([z.string(), z.record(z.string(), z.string())])
  .transform((v, ctx) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of header name to value, e.g. {"X-Api-Key":"..."}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().regex(HEADER_NAME, 'header names are HTTP tokens'), z.string().regex(/^[^\r\n\0]*$/, 'header values hold no line breaks')));

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

// One typed object for the whole process. Keys marked secret are never printed.
// Web Service SDK limits (per node): see docs/sdk.md. libs/sdk reads the same section.
export const sdkSectionSchema = z.object({
  rateCredentialPerSecond: z.coerce.number().min(0.001).max(1_000_000).optional(),
  rateCredentialBurst: z.coerce.number().int().min(1).max(10_000_000).optional(),
  rateUserPerMinute: z.coerce.number().min(0.001).max(1_000_000).optional(),
  rateUserBurst: z.coerce.number().int().min(1).max(1_000_000).optional(),
  maxBodyBytes: z.coerce.number().int().min(256).max(1024 * 1024).optional(),
  approvalWindowMs: z.coerce.number().int().min(5_000).max(600_000).optional(),
  assertionTtlMs: z.coerce.number().int().min(10_000).max(3_600_000).optional(),
  // What a password given to the SDK (the User Portal) is checked against: the user's local
  // password, or a bind to an LDAP directory (the keys below, as for a RADIUS client's LDAP).
  firstFactor: z.enum(['local-password', 'ldap']).default('local-password'),
  ldapUrl: z.string().regex(/^ldaps?:\/\/[^\s,]+(,ldaps?:\/\/[^\s,]+)*$/i, 'must be an ldap:// or ldaps:// URL, or several separated by commas (tried in order)').optional(),
  ldapBindDnTemplate: z.string().min(1).max(512).refine((v) => v.includes('{username}'), 'must contain {username}').optional(),
  ldapSearchBase: z.string().min(1).max(512).optional(),
  ldapSearchFilter: z.string().min(1).max(512).refine((v) => v.includes('{username}'), 'must contain {username}').optional(),
  ldapBindDn: z.string().min(1).max(512).optional(),
  ldapBindPassword: z.string().min(1).max(512).optional(),
  ldapStartTls: bool.optional(),
  ldapCaFile: z.string().min(1).optional(),
  ldapTimeoutMs: z.coerce.number().int().min(100).max(60_000).optional(),
});

export const configSchema = z.object({
  dataDir: z.string().min(1).default('./data'),
  // postgres://... selects PostgreSQL; empty means SQLite files in dataDir.
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  nodeName: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only').optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  http: z.object({
    bindAddress: z.string().min(1).default('0.0.0.0'),
    port: port.default(8443),
    maxBodyBytes: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
    // An administrator-provided certificate for this port (enterprise PKI); PEM files. The chain
    // may follow the certificate in certFile or sit in chainFile. Without them: the node certificate.
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    chainFile: z.string().min(1).optional(),
    // What this node trusts when it calls another node's HTTPS port (forwarding, probes), besides
    // the cluster CA and the system CAs: the enterprise root when nodes serve enterprise certificates.
    peerCaFile: z.string().min(1).optional(),
    maxConnectionsPerSource: z.coerce.number().int().min(1).max(1_000_000).default(512),
  }).prefault({}),
  tls: z.object({
    // Extra names for this node's certificate besides localhost, its node name and advertise host.
    hosts: hostList.default([]),
    // A connection that has not finished its TLS handshake by then is closed (both TLS ports).
    handshakeTimeoutMs: z.coerce.number().int().min(1000).max(120_000).default(10_000),
  }).prefault({}),
  radius: z.object({
    enabled: bool.default(true),
    bindAddress: z.string().min(1).default('0.0.0.0'),
    authPort: port.default(1812),
    acctPort: port.default(1813),
    // Retransmissions within this window get the cached answer (no second run, no second SMS).
    duplicateWindowMs: z.coerce.number().int().min(1000).max(600000).default(30000),
    // How long a push/voice approval may hold an Access-Request: keep it below the NAS time-out.
    outOfBandTimeoutMs: z.coerce.number().int().min(1000).max(300000).default(25000),
    maxInFlight: z.coerce.number().int().min(1).max(100000).default(4096),
    // Failed guesses (wrong password/PIN/code, unknown user) per RADIUS client and per node, and
    // SMS/voice/push sends per user: token buckets, per node (see README).
    clientFailureBurst: z.coerce.number().int().min(1).max(10_000_000).default(20),
    clientFailuresPerMinute: z.coerce.number().min(0.001).max(10_000_000).default(30),
    globalFailureBurst: z.coerce.number().int().min(1).max(10_000_000).default(100),
    globalFailuresPerMinute: z.coerce.number().min(0.001).max(10_000_000).default(120),
    userSendBurst: z.coerce.number().int().min(1).max(1_000_000).default(5),
    userSendsPerMinute: z.coerce.number().min(0.001).max(1_000_000).default(1),
  }).prefault({}),
  // How other nodes reach this one (stored in the log when it joins or founds the cluster).
  advertiseHost: z.string().min(1).max(255).default('127.0.0.1'),
  replication: z.object({
    bindAddress: z.string().min(1).default('0.0.0.0'),
    port: port.default(4443),
    maxLagEvents: z.coerce.number().int().min(0).default(1000),
    // Synchronous replication: a write succeeds only once this many slaves hold it durably.
    syncSlaves: z.coerce.number().int().min(0).max(16).default(0),
    syncTimeoutMs: z.coerce.number().int().min(100).max(60000).default(5000),
    // How long a write forwarded from a slave may wait for the master.
    forwardTimeoutMs: z.coerce.number().int().min(100).max(60000).default(3000),
    // A slave needs one or two connections; more from one address is a flood.
    maxConnectionsPerSource: z.coerce.number().int().min(1).max(100_000).default(16),
    // How long a slave waits for the master's verdict on a used code before accepting on its own record.
    confirmTimeoutMs: z.coerce.number().int().min(10).max(10000).default(300),
    // Where a slave reads the log: the master's fixed port, or the cluster's Kafka topic (upstream
    // security events still go to the master over the fixed port).
    source: z.enum(['fixed-port', 'kafka']).default('fixed-port'),
  }).prefault({}),
  delivery: z.object({
    provider: z.enum(['file', 'http']).default('file'),
    filePath: z.string().optional(),
    httpUrl: z.string().url().optional(),
    httpMethod: z.enum(['POST', 'PUT', 'GET']).default('POST'),
    // e.g. {"to":"{{to}}","text":"{{text}}"}; placeholders: to, text, userId, channel, approvalId.
    httpBodyTemplate: z.string().optional(),
    httpHeaders: headerMap.optional(),
    httpTimeoutMs: z.coerce.number().int().min(100).max(60000).default(10000),
  }).prefault({}),
  // E-mail (invitation codes): a file of JSON lines (development, tests) or an SMTP relay.
  email: z.object({
    provider: z.enum(['file', 'smtp']).default('file'),
    filePath: z.string().optional(), // default <dataDir>/emails.jsonl
    smtpHost: z.string().min(1).max(255).optional(),
    smtpPort: port.default(25),
    from: z.string().min(3).max(254).regex(/^[^\s<>@]+@[^\s<>@]+$/, 'must be an e-mail address such as mfa@example.org').optional(),
    smtpStartTls: bool.default(false),
    smtpCaFile: z.string().min(1).optional(),
    smtpTimeoutMs: z.coerce.number().int().min(100).max(60000).default(10000),
  }).prefault({}),
  // Invitations sent by SMS or e-mail name the portal's sign-in address (no secret in it).
  invitations: z.object({
    portalUrl: z.string().url().regex(/^https:\/\//, 'must be an https:// URL').optional(),
  }).prefault({}),
  // Web Service SDK limits (per node): see docs/sdk.md.
  sdk: sdkSectionSchema.prefault({}),
  shutdownGraceMs: z.coerce.number().int().min(0).max(120000).default(10000),
  // Kafka publishing of the log (libs/kafka): off unless brokers is set.
  kafka: z.object({
    brokers: z.string().regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, 'a comma-separated list of host:port').optional(),
    clientId: z.string().min(1).max(128).default('twofold'),
    topicPrefix: z.string().min(1).max(100).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only').default('twofold'),
    topicReplicationFactor: z.coerce.number().int().min(-1).max(32).default(-1), // -1: the broker's default
    tls: bool.default(false),
    caFile: z.string().min(1).optional(),
    // Client certificate (PEM) and its key for brokers that require mutual TLS.
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    saslMechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
    saslUsername: z.string().min(1).optional(),
    saslPassword: z.string().min(1).optional(),
    saslPasswordFile: z.string().min(1).optional(), // the password read from this file (trailing newline dropped)
  }).prefault({}),
});

export type TwofoldConfig = z.infer<typeof configSchema>;

// The object inside a section's wrappers (.prefault({}), .default()), or null for a plain key.
function sectionShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodPrefault || schema instanceof z.ZodDefault) return sectionShape(schema.unwrap() as z.ZodType);
  return null;
}

// Variables named before the rule below, kept as they were.
const ENV_NAMES: Record<string, string> = {
  'http.bindAddress': 'TWOFOLD_HTTP_BIND', 'radius.bindAddress': 'TWOFOLD_RADIUS_BIND', 'replication.bindAddress': 'TWOFOLD_REPLICATION_BIND',
  'http.certFile': 'TWOFOLD_HTTPS_CERT_FILE', 'http.keyFile': 'TWOFOLD_HTTPS_KEY_FILE', 'http.chainFile': 'TWOFOLD_HTTPS_CHAIN_FILE', 'http.peerCaFile': 'TWOFOLD_HTTPS_PEER_CA_FILE',
  'radius.outOfBandTimeoutMs': 'TWOFOLD_RADIUS_OOB_TIMEOUT_MS', 'delivery.filePath': 'TWOFOLD_DELIVERY_FILE', 'email.filePath': 'TWOFOLD_EMAIL_FILE',
  'email.smtpStartTls': 'TWOFOLD_EMAIL_SMTP_STARTTLS', 'invitations.portalUrl': 'TWOFOLD_INVITATION_PORTAL_URL',
};
const upperSnake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

// Environment variable -> config path, one for every key of the schema (a section's keys one level
// down): its path in capitals, radius.authPort as TWOFOLD_RADIUS_AUTH_PORT, or its ENV_NAMES name.
export const ENV_KEYS: Record<string, string[]> = Object.fromEntries(
  Object.entries(configSchema.shape)
    .flatMap(([key, schema]) => {
      const section = sectionShape(schema);
      return section ? Object.keys(section).map((sub) => [key, sub]) : [[key]];
    })
    .map((path) => [ENV_NAMES[path.join('.')] ?? `TWOFOLD_${path.map(upperSnake).join('_')}`, path]),
);

export const SECRET_KEYS = new Set<string>(['databaseUrl', 'delivery.httpUrl', 'delivery.httpBodyTemplate', 'delivery.httpHeaders', 'kafka.saslPassword', 'sdk.ldapBindPassword']);
