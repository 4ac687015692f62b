import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClusterCa, issueCertificate, loadConfig, openDataDir } from '@twofold/platform';
import { HttpsCertificateError, loadHttpsIdentity, peerHttpsCa } from './https-certificate';

describe('loadHttpsIdentity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tf-https-'));
  const dataDir = openDataDir(join(dir, 'data'), { nodeName: 'node-a' });
  const enterprise = createClusterCa('enterprise');
  const leaf = issueCertificate(enterprise, 'mfa.example.com', { hosts: ['mfa.example.com'] });
  const other = issueCertificate(enterprise, 'other.example.com');
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const cert = file('cert.pem', leaf.certPem);
  const key = file('key.pem', leaf.keyPem);
  const config = (env: Record<string, string>) => loadConfig(env);

  it('serves the node certificate by default and the administrator\'s when both files are set, chain appended', () => {
    expect(loadHttpsIdentity(config({}), dataDir)).toMatchObject({ source: 'node', cert: dataDir.tls.certPem });
    const chain = file('chain.pem', enterprise.certPem);
    const given = loadHttpsIdentity(config({ TWOFOLD_HTTPS_CERT_FILE: cert, TWOFOLD_HTTPS_KEY_FILE: key, TWOFOLD_HTTPS_CHAIN_FILE: chain }), dataDir);
    expect(given).toMatchObject({ source: 'administrator', key: leaf.keyPem });
    expect(given.cert.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('stops with a message naming the variable on a bad pair', () => {
    const bad = (env: Record<string, string>) => () => loadHttpsIdentity(config(env), dataDir);
    expect(bad({ TWOFOLD_HTTPS_CERT_FILE: cert })).toThrow(/set both or neither/);
    expect(bad({ TWOFOLD_HTTPS_CERT_FILE: cert, TWOFOLD_HTTPS_KEY_FILE: file('other.key.pem', other.keyPem) })).toThrow(/TWOFOLD_HTTPS_KEY_FILE: the key in .* does not belong to the certificate/);
    expect(bad({ TWOFOLD_HTTPS_CERT_FILE: join(dir, 'missing.pem'), TWOFOLD_HTTPS_KEY_FILE: key })).toThrow(/TWOFOLD_HTTPS_CERT_FILE: cannot read .*ENOENT/);
    expect(bad({ TWOFOLD_HTTPS_CERT_FILE: key, TWOFOLD_HTTPS_KEY_FILE: key })).toThrow(/TWOFOLD_HTTPS_CERT_FILE: .* holds no PEM certificate/);
    expect(bad({ TWOFOLD_HTTPS_CERT_FILE: cert, TWOFOLD_HTTPS_KEY_FILE: cert })).toThrow(HttpsCertificateError);
  });

  it('peers are trusted by the cluster CA, the system CAs and the configured file', () => {
    const trust = peerHttpsCa(config({ TWOFOLD_HTTPS_PEER_CA_FILE: file('peer-ca.pem', enterprise.certPem) }), dataDir);
    expect(trust[0]).toBe(dataDir.ca.certPem);
    expect(trust).toContain(enterprise.certPem.trim());
    expect(trust.length).toBeGreaterThan(10);
  });
});
