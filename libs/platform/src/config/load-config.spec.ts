import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadConfig } from './load-config';
import { ENV_KEYS } from './config.schema';

describe('loadConfig', () => {
  it('gives working defaults with no environment at all', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(8443);
    expect(config.radius.authPort).toBe(1812);
    expect(config.replication.port).toBe(4443);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/data$/);
  });

  it('reads TWOFOLD_ variables with types coerced', () => {
    const config = loadConfig({ TWOFOLD_HTTP_PORT: '9443', TWOFOLD_RADIUS_ENABLED: 'false', TWOFOLD_DATABASE_URL: 'postgres://u:p@db/twofold' });
    expect(config.http.port).toBe(9443);
    expect(config.radius.enabled).toBe(false);
    expect(config.databaseUrl).toBe('postgres://u:p@db/twofold');
  });

  it('stops on a bad value with a message naming the variable', () => {
    expect(() => loadConfig({ TWOFOLD_HTTP_PORT: '70000' })).toThrow(/TWOFOLD_HTTP_PORT/);
    expect(() => loadConfig({ TWOFOLD_DATABASE_URL: 'mysql://x' })).toThrow(/TWOFOLD_DATABASE_URL.*postgres/);
    expect(() => loadConfig({ TWOFOLD_LOG_LEVEL: 'loud' })).toThrow(ConfigError);
  });

  it('reads the SDK limits and refuses a bad one by name', () => {
    expect(loadConfig({ TWOFOLD_SDK_RATE_USER_PER_MINUTE: '30' }).sdk.rateUserPerMinute).toBe(30);
    expect(() => loadConfig({ TWOFOLD_SDK_APPROVAL_WINDOW_MS: '10' })).toThrow(/TWOFOLD_SDK_APPROVAL_WINDOW_MS/);
  });

  it('takes LDAP as the SDK password check only with a URL and a way to find the DN, and never prints the bind password', () => {
    expect(loadConfig({}).sdk.firstFactor).toBe('local-password');
    expect(() => loadConfig({ TWOFOLD_SDK_FIRST_FACTOR: 'ldap' })).toThrow(/TWOFOLD_SDK_LDAP_URL/);
    expect(() => loadConfig({ TWOFOLD_SDK_FIRST_FACTOR: 'ldap', TWOFOLD_SDK_LDAP_URL: 'ldaps://dc1:636' })).toThrow(/TWOFOLD_SDK_LDAP_BIND_DN_TEMPLATE/);
    expect(() => loadConfig({ TWOFOLD_SDK_LDAP_BIND_DN_TEMPLATE: 'uid=x,dc=org' })).toThrow(/TWOFOLD_SDK_LDAP_BIND_DN_TEMPLATE.*\{username\}/);
    expect(() => loadConfig({ TWOFOLD_SDK_FIRST_FACTOR: 'ldap', TWOFOLD_SDK_LDAP_URL: 'ldaps://dc1', TWOFOLD_SDK_LDAP_SEARCH_BASE: 'dc=org', TWOFOLD_SDK_LDAP_CA_FILE: '/nonexistent/ca.pem' })).toThrow(/TWOFOLD_SDK_LDAP_CA_FILE.*ENOENT/);
    const config = loadConfig({ TWOFOLD_SDK_FIRST_FACTOR: 'ldap', TWOFOLD_SDK_LDAP_URL: 'ldap://dc1', TWOFOLD_SDK_LDAP_START_TLS: 'true', TWOFOLD_SDK_LDAP_SEARCH_BASE: 'dc=org', TWOFOLD_SDK_LDAP_BIND_DN: 'cn=reader,dc=org', TWOFOLD_SDK_LDAP_BIND_PASSWORD: 'reader secret' });
    expect(config.sdk).toMatchObject({ firstFactor: 'ldap', ldapStartTls: true, ldapSearchBase: 'dc=org' });
    expect(JSON.stringify(describeConfig(config))).not.toContain('reader secret');
  });

  it('refuses a misspelt TWOFOLD_ variable instead of ignoring it', () => {
    expect(() => loadConfig({ TWOFOLD_HTTP_PROT: '1' })).toThrow(/TWOFOLD_HTTP_PROT.*unknown/);
  });

  it('names a variable for every config key: its path in capitals, or the name it had before that rule', () => {
    expect(ENV_KEYS.TWOFOLD_SHUTDOWN_GRACE_MS).toEqual(['shutdownGraceMs']);
    expect(ENV_KEYS.TWOFOLD_REPLICATION_MAX_LAG_EVENTS).toEqual(['replication', 'maxLagEvents']);
    expect(ENV_KEYS.TWOFOLD_HTTPS_PEER_CA_FILE).toEqual(['http', 'peerCaFile']);
    expect(ENV_KEYS.TWOFOLD_RADIUS_OOB_TIMEOUT_MS).toEqual(['radius', 'outOfBandTimeoutMs']);
    expect(ENV_KEYS.TWOFOLD_HTTP_BIND_ADDRESS).toBeUndefined();
    expect(loadConfig({ TWOFOLD_KAFKA_SASL_USERNAME: 'svc' }).kafka.saslUsername).toBe('svc');
  });

  it('reads a JSON config file, with the environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-config-'));
    const file = join(dir, 'twofold.json');
    writeFileSync(file, JSON.stringify({ http: { port: 7000 }, radius: { authPort: 11812 } }));
    const config = loadConfig({ TWOFOLD_CONFIG: file, TWOFOLD_RADIUS_AUTH_PORT: '21812' });
    expect(config.http.port).toBe(7000);
    expect(config.radius.authPort).toBe(21812);
    writeFileSync(file, '{not json');
    expect(() => loadConfig({ TWOFOLD_CONFIG: file })).toThrow(/TWOFOLD_CONFIG.*not valid JSON/);
    writeFileSync(file, JSON.stringify({ http: { port: 'eighty' } }));
    expect(() => loadConfig({ TWOFOLD_CONFIG: file })).toThrow(/http\.port/);
  });

  it('never shows the database password when describing the config', () => {
    const config = loadConfig({ TWOFOLD_DATABASE_URL: 'postgres://twofold:hunter2@db/twofold' });
    expect(JSON.stringify(describeConfig(config))).not.toContain('hunter2');
  });

  it('never shows the SMS gateway key (URL query, credentials, body template, headers) when describing the config', () => {
    const config = loadConfig({
      TWOFOLD_DELIVERY_PROVIDER: 'http',
      TWOFOLD_DELIVERY_HTTP_URL: 'https://user:pw-s3cret@sms.example/send?api_key=key-s3cret&to={{to}}',
      TWOFOLD_DELIVERY_HTTP_BODY_TEMPLATE: '{"key":"body-s3cret","to":"{{to}}"}',
      TWOFOLD_DELIVERY_HTTP_HEADERS: '{"X-Api-Key":"header-s3cret"}',
    });
    expect(config.delivery.httpHeaders).toEqual({ 'X-Api-Key': 'header-s3cret' });
    const described = JSON.stringify(describeConfig(config));
    expect(described).not.toMatch(/s3cret/);
    expect(described).toContain('https://***@sms.example/send?[redacted]');
    expect(described).toContain('X-Api-Key');
  });

  it('refuses bad gateway headers and bad TLS host names by name', () => {
    expect(() => loadConfig({ TWOFOLD_DELIVERY_HTTP_HEADERS: 'X-Api-Key: abc' })).toThrow(/TWOFOLD_DELIVERY_HTTP_HEADERS.*JSON object/);
    expect(() => loadConfig({ TWOFOLD_DELIVERY_HTTP_HEADERS: '{"bad name":"x"}' })).toThrow(/TWOFOLD_DELIVERY_HTTP_HEADERS/);
    expect(loadConfig({ TWOFOLD_TLS_HOSTS: 'mfa.example.com, 10.0.0.5,fe80::1,*.nodes.example' }).tls.hosts).toEqual(['mfa.example.com', '10.0.0.5', 'fe80::1', '*.nodes.example']);
    expect(() => loadConfig({ TWOFOLD_TLS_HOSTS: 'mfa.example.com,https://x' })).toThrow(/TWOFOLD_TLS_HOSTS.*"https:\/\/x" is not a DNS name or IP address/);
    expect(() => loadConfig({ TWOFOLD_TLS_HOSTS: 'bad_name.example' })).toThrow(/TWOFOLD_TLS_HOSTS/);
  });

  it('reads the Kafka settings, never shows the SASL password, and wants a user and password with a mechanism', () => {
    const config = loadConfig({ TWOFOLD_KAFKA_BROKERS: 'k1:9093, k2:9093', TWOFOLD_KAFKA_SASL_MECHANISM: 'scram-sha-512', TWOFOLD_KAFKA_SASL_USERNAME: 'twofold', TWOFOLD_KAFKA_SASL_PASSWORD: 's3cr3t-kafka' });
    expect(config.kafka).toMatchObject({ brokers: 'k1:9093, k2:9093', saslMechanism: 'scram-sha-512', topicPrefix: 'twofold' });
    expect(JSON.stringify(describeConfig(config))).not.toContain('s3cr3t-kafka');
    expect(() => loadConfig({ TWOFOLD_KAFKA_SASL_MECHANISM: 'plain', TWOFOLD_KAFKA_SASL_USERNAME: 'twofold' })).toThrow(/TWOFOLD_KAFKA_SASL_PASSWORD/);
    expect(() => loadConfig({ TWOFOLD_KAFKA_BROKERS: 'k1' })).toThrow(/TWOFOLD_KAFKA_BROKERS.*host:port/);
    expect(loadConfig({}).kafka.brokers).toBeUndefined();
  });

  it('takes the SASL password from a file, checks the TLS files at start, and wants brokers for TWOFOLD_REPLICATION_SOURCE=kafka', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twofold-kafka-cfg-'));
    writeFileSync(join(dir, 'password'), 'from-a-file\n');
    writeFileSync(join(dir, 'client.pem'), 'pem');
    const base = { TWOFOLD_KAFKA_BROKERS: 'k1:9093', TWOFOLD_KAFKA_SASL_MECHANISM: 'plain', TWOFOLD_KAFKA_SASL_USERNAME: 'twofold' };
    const config = loadConfig({ ...base, TWOFOLD_KAFKA_SASL_PASSWORD_FILE: join(dir, 'password') });
    expect(config.kafka.saslPassword).toBe('from-a-file');
    expect(JSON.stringify(describeConfig(config))).not.toContain('from-a-file');
    expect(() => loadConfig({ ...base, TWOFOLD_KAFKA_SASL_PASSWORD_FILE: join(dir, 'missing') })).toThrow(/TWOFOLD_KAFKA_SASL_PASSWORD_FILE.*cannot read/);
    expect(() => loadConfig({ ...base, TWOFOLD_KAFKA_SASL_PASSWORD: 'x', TWOFOLD_KAFKA_SASL_PASSWORD_FILE: join(dir, 'password') })).toThrow(/not both/);
    expect(() => loadConfig({ TWOFOLD_KAFKA_BROKERS: 'k1:9093', TWOFOLD_KAFKA_CA_FILE: join(dir, 'nope.pem') })).toThrow(/TWOFOLD_KAFKA_CA_FILE.*cannot read/);
    expect(() => loadConfig({ TWOFOLD_KAFKA_BROKERS: 'k1:9093', TWOFOLD_KAFKA_CERT_FILE: join(dir, 'client.pem') })).toThrow(/TWOFOLD_KAFKA_KEY_FILE/);
    expect(() => loadConfig({ TWOFOLD_REPLICATION_SOURCE: 'kafka' })).toThrow(/TWOFOLD_REPLICATION_SOURCE.*TWOFOLD_KAFKA_BROKERS/);
    expect(() => loadConfig({ TWOFOLD_REPLICATION_SOURCE: 'carrier-pigeon' })).toThrow(/TWOFOLD_REPLICATION_SOURCE/);
    expect(loadConfig({ TWOFOLD_KAFKA_BROKERS: 'k1:9093', TWOFOLD_REPLICATION_SOURCE: 'kafka' }).replication.source).toBe('kafka');
    expect(loadConfig({}).replication.source).toBe('fixed-port');
  });
});
